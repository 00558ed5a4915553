package platform

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/hotline12345/hotline/internal/adapters/awsconf"
)

// MediaBucket is local mode's bucket of ticket attachments.
const MediaBucket = "hotline-media"

// ensureBucket makes the attachments bucket as the stack does (infra/
// template.yaml MediaBucket): raw uploads expire after a day, and pages of
// origins may post uploads to it and read from it.
func ensureBucket(ctx context.Context, cfg aws.Config, origins []string) error {
	// Signed, as CloudFormation's calls are: the edge knows S3 requests by
	// their signature's scope.
	id, secret := awsconf.LocalCredentials()
	cfg = cfg.Copy()
	cfg.Credentials = credentials.NewStaticCredentialsProvider(id, secret, "")
	c := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
	_, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(MediaBucket)})
	var owned *s3types.BucketAlreadyOwnedByYou
	if err != nil && !errors.As(err, &owned) {
		return fmt.Errorf("create the attachments bucket: %w", err)
	}
	_, err = c.PutBucketLifecycleConfiguration(ctx, &s3.PutBucketLifecycleConfigurationInput{
		Bucket: aws.String(MediaBucket),
		LifecycleConfiguration: &s3types.BucketLifecycleConfiguration{Rules: []s3types.LifecycleRule{{
			ID: aws.String("ExpireUnattachedUploads"), Status: s3types.ExpirationStatusEnabled,
			Filter:     &s3types.LifecycleRuleFilter{Prefix: aws.String("uploads/")},
			Expiration: &s3types.LifecycleExpiration{Days: aws.Int32(1)},
		}}},
	})
	if err != nil {
		return fmt.Errorf("set the attachments bucket's lifecycle: %w", err)
	}
	_, err = c.PutBucketCors(ctx, &s3.PutBucketCorsInput{
		Bucket: aws.String(MediaBucket),
		CORSConfiguration: &s3types.CORSConfiguration{CORSRules: []s3types.CORSRule{{
			AllowedMethods: []string{"POST", "GET", "HEAD"}, AllowedOrigins: origins,
			AllowedHeaders: []string{"*"}, ExposeHeaders: []string{"ETag"}, MaxAgeSeconds: aws.Int32(3000),
		}}},
	})
	if err != nil {
		return fmt.Errorf("set the attachments bucket's CORS: %w", err)
	}
	return nil
}

// pageOrigins are the origins the pages are served from: the API's URL, and
// the same port by its other loopback names.
func pageOrigins(apiURL string) []string {
	out := []string{apiURL}
	u, err := url.Parse(apiURL)
	if err != nil {
		return out
	}
	port := u.Port()
	for _, h := range []string{"127.0.0.1", "localhost"} {
		if o := "http://" + net.JoinHostPort(h, port); o != apiURL {
			out = append(out, o)
		}
	}
	return out
}

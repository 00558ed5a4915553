// Package presign is sample code for TestSdkActionNamesSignedAndAliasedCalls:
// calls whose IAM action is not their method's name.
package presign

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// Uploads is a narrow client interface of the kind the module's adapters declare.
type Uploads interface {
	HeadObject(ctx context.Context, in *s3.HeadObjectInput, optFns ...func(*s3.Options)) (*s3.HeadObjectOutput, error)
}

func Sample(ctx context.Context, c *s3.Client, u Uploads) {
	p := s3.NewPresignClient(c)
	_, _ = p.PresignPostObject(ctx, &s3.PutObjectInput{})
	_, _ = p.PresignGetObject(ctx, &s3.GetObjectInput{})
	_, _ = u.HeadObject(ctx, &s3.HeadObjectInput{})
	_, _ = c.DeleteObject(ctx, &s3.DeleteObjectInput{})
	_, _ = c.DeleteObjects(ctx, &s3.DeleteObjectsInput{})
}

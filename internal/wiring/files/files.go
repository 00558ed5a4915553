// Package files wires ticket attachments for the functions that take them
// (intake and api): the S3 bucket, the upload records and the media limits.
// It is its own package so the other functions link no S3 client.
package files

import (
	"fmt"

	"github.com/hotline12345/hotline/internal/adapters/objects"
	"github.com/hotline12345/hotline/internal/app/attach"
	"github.com/hotline12345/hotline/internal/app/media"
	"github.com/hotline12345/hotline/internal/wiring/config"
	"github.com/hotline12345/hotline/internal/wiring/dataplane"
)

// Service is the attachments service of a function, or nil when its
// environment names no bucket (HOTLINE_MEDIA_BUCKET): it then takes no files.
func Service(b *dataplane.Base) (*attach.Service, error) {
	if b.Config.MediaBucket == "" {
		return nil, nil
	}
	// Forms and links are lived by people: wall-clock time signs them.
	bucket, err := objects.New(b.AWS, b.Config.MediaBucket, b.WallNow)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", config.EnvMediaBucket, err)
	}
	return &attach.Service{Objects: bucket, Uploads: b.Store, Now: b.WallNow, Random: b.Random, Limits: media.DefaultLimits(), Log: b.Log}, nil
}

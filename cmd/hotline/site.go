package main

import (
	"fmt"
	"io"

	"github.com/hotline12345/hotline/web"
)

// siteCmd writes the pages as the deployed static site: the files embedded in
// this binary (so what is published is what `hotline serve` serves) and a
// config.json naming the API and the staff issuer. `aws s3 sync` publishes
// the directory (README, "Deploy to AWS").
func siteCmd(args []string, stdout io.Writer) error {
	fs := newFlags("site", "site --out DIR --api URL --issuer URL", "Write the pages and their config.json as the deployed static site (what `aws s3 sync` publishes).")
	out := fs.String("out", "", "directory to write the site into (absent or empty)")
	api := fs.String("api", "", "the API's URL (the stack's ApiUrl output)")
	issuer := fs.String("issuer", "", "issuer of staff tokens (the JwtIssuer parameter)")
	if err := fs.parse(args, stdout, false); err != nil {
		return err
	}
	if *out == "" || *api == "" || *issuer == "" {
		return fs.errorf("site needs --out, --api and --issuer")
	}
	if err := web.WriteSite(*out, web.Config{APIURL: *api, Issuer: *issuer}); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "site written to %s (API %s)\n", *out, *api)
	return nil
}

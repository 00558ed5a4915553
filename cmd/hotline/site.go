package main

import (
	"flag"
	"fmt"
	"io"

	"github.com/hotline12345/hotline/web"
)

// siteCmd writes the pages as the deployed static site: the files embedded in
// this binary (so what is published is what `hotline serve` serves) and a
// config.json naming the API and the staff issuer. `aws s3 sync` publishes
// the directory (README, "Deploy to AWS").
func siteCmd(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("site", flag.ContinueOnError)
	fs.SetOutput(stderr)
	out := fs.String("out", "", "directory to write the site into (absent or empty)")
	api := fs.String("api", "", "the API's URL (the stack's ApiUrl output)")
	issuer := fs.String("issuer", "", "issuer of staff tokens (the JwtIssuer parameter)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *out == "" || *api == "" || *issuer == "" || fs.NArg() > 0 {
		fs.Usage()
		return fmt.Errorf("site needs --out, --api and --issuer")
	}
	if err := web.WriteSite(*out, web.Config{APIURL: *api, Issuer: *issuer}); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "site written to %s (API %s)\n", *out, *api)
	return nil
}

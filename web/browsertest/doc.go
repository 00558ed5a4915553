// Package browsertest drives the pages in Debian's Chromium (chromedp) against
// the in-process platform, as a citizen would, saving a screenshot of each
// screen and holding the first load of the citizen page to its budget. Its
// tests skip without Chromium unless CI=true.
package browsertest

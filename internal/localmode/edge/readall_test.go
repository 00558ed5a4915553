package edge

import (
	"bytes"
	"strings"
	"testing"
	"testing/iotest"
)

// A body is read whole whatever size was announced for it.
func TestReadAllWhateverTheAnnouncedSize(t *testing.T) {
	body := strings.Repeat("x", 1000)
	for _, size := range []int64{-1, 0, 1, 999, 1000, 1001, 5000} {
		for _, half := range []bool{false, true} {
			var r = strings.NewReader(body)
			var got []byte
			var err error
			if half {
				got, err = readAll(iotest.HalfReader(r), size)
			} else {
				got, err = readAll(r, size)
			}
			if err != nil || !bytes.Equal(got, []byte(body)) {
				t.Errorf("size %d (half reads %v): %d bytes, %v", size, half, len(got), err)
			}
		}
	}
	if _, err := readAll(iotest.ErrReader(iotest.ErrTimeout), 10); err != iotest.ErrTimeout {
		t.Errorf("error %v, want the reader's", err)
	}
}

package export

import (
	"bytes"
	"encoding/csv"
	"errors"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

func sample() Table {
	half := 0.5
	return Table{
		Sheet:  "工单",
		Header: []string{"编号 id", "内容 content", "数量 count", "比率 rate", "空 none", "满意率 share"},
		Rows: [][]any{
			{"260302ABCDEF", "楼道灯坏了，请修理", 3, &half, (*float64)(nil), Percent{&half}},
			{"260302GHIJKL", `=HYPERLINK("http://evil.example","点我")`, 0, 1.0, nil, Percent{}},
		},
	}
}

func TestCSVOpensInExcelAndRunsNoFormula(t *testing.T) {
	b, err := CSV(sample())
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(b, []byte("\xEF\xBB\xBF")) {
		t.Fatal("no UTF-8 byte order mark: Excel would show mojibake")
	}
	recs, err := csv.NewReader(bytes.NewReader(b[3:])).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 3 || recs[0][1] != "内容 content" || recs[1][1] != "楼道灯坏了，请修理" || recs[1][3] != "0.5" || recs[1][4] != "" ||
		recs[1][5] != "50.00%" || recs[2][5] != "" {
		t.Fatalf("records %q", recs)
	}
	if !strings.HasPrefix(recs[2][1], "'=") {
		t.Fatalf("a formula in a citizen's text is not defused: %q", recs[2][1])
	}
	if !bytes.Contains(b, []byte("\r\n")) {
		t.Fatal("rows not ended with CRLF")
	}
}

func TestXLSXReadsBackAsTextAndNumbers(t *testing.T) {
	b, err := XLSX(sample())
	if err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := f.GetRows("工单")
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 3 || rows[1][1] != "楼道灯坏了，请修理" || rows[1][2] != "3" || rows[1][3] != "0.5" || rows[1][5] != "50.00%" {
		t.Fatalf("rows %q", rows)
	}
	if formula, _ := f.GetCellFormula("工单", "B3"); formula != "" {
		t.Fatalf("citizen text stored as a formula %q", formula)
	}
	if v, _ := f.GetCellValue("工单", "B3"); !strings.HasPrefix(v, "=HYPERLINK") {
		t.Fatalf("text changed: %q", v)
	}
	if typ, _ := f.GetCellType("工单", "C2"); typ == excelize.CellTypeInlineString || typ == excelize.CellTypeSharedString {
		t.Fatal("a count stored as text: Excel could not sum it")
	}
}

func TestRowWidthMustMatchHeader(t *testing.T) {
	bad := Table{Header: []string{"a", "b"}, Rows: [][]any{{"only one"}}}
	if _, err := CSV(bad); err == nil {
		t.Fatal("CSV accepted a short row")
	}
	if _, err := XLSX(bad); err == nil {
		t.Fatal("XLSX accepted a short row")
	}
}

func TestNegotiate(t *testing.T) {
	cases := []struct{ param, accept, want string }{
		{"", "", FormatJSON},
		{"", "text/csv", FormatCSV},
		{"", "text/html, text/csv;q=0.9", FormatCSV},
		{"", ContentTypeXLSX, FormatXLSX},
		{"xlsx", "text/csv", FormatXLSX},
		{"csv", "", FormatCSV},
		{"json", "text/csv", FormatJSON},
		{"", "*/*", FormatJSON},
	}
	for _, c := range cases {
		got, err := Negotiate(c.param, c.accept)
		if err != nil || got != c.want {
			t.Errorf("Negotiate(%q, %q) = %q, %v; want %q", c.param, c.accept, got, err, c.want)
		}
	}
	var fe *FormatError
	if _, err := Negotiate("pdf", ""); !errors.As(err, &fe) {
		t.Fatalf("pdf: %v", err)
	}
}

func FuzzNegotiate(f *testing.F) {
	f.Add("", "text/csv")
	f.Add("xlsx", "")
	f.Add("pdf", "application/json;q=1, text/csv")
	f.Fuzz(func(t *testing.T, param, accept string) {
		got, err := Negotiate(param, accept)
		if err != nil {
			return
		}
		if got != FormatJSON && got != FormatCSV && got != FormatXLSX {
			t.Fatalf("format %q", got)
		}
	})
}

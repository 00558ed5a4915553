// Package export writes tables a government office opens directly: CSV in
// UTF-8 with a byte order mark (so Excel shows Chinese) and XLSX workbooks.
package export

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"
)

// Formats of an export.
const (
	FormatJSON = "json"
	FormatCSV  = "csv"
	FormatXLSX = "xlsx"
)

// Content types of the formats.
const (
	ContentTypeCSV  = "text/csv; charset=utf-8"
	ContentTypeXLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
)

// FormatError is an unknown ?format= value.
type FormatError struct{ Value string }

func (e *FormatError) Error() string {
	return fmt.Sprintf("format %q: json, csv or xlsx", e.Value)
}

// Negotiate picks the format from ?format= (which wins) or the Accept header.
func Negotiate(formatParam, accept string) (string, error) {
	switch formatParam {
	case FormatJSON, FormatCSV, FormatXLSX:
		return formatParam, nil
	case "":
	default:
		return "", &FormatError{Value: formatParam}
	}
	for _, part := range strings.Split(accept, ",") {
		mt, _, _ := strings.Cut(strings.TrimSpace(part), ";")
		switch strings.ToLower(strings.TrimSpace(mt)) {
		case "text/csv":
			return FormatCSV, nil
		case ContentTypeXLSX:
			return FormatXLSX, nil
		case "application/json":
			return FormatJSON, nil
		}
	}
	return FormatJSON, nil
}

// Percent is a share shown as a percentage (0.8125 → 81.25%); nil is empty.
type Percent struct{ Value *float64 }

// Table is what an export holds: one sheet with a header row. A cell is a
// string, an int, a float64, a *float64 (nil: empty), a Percent or nil.
type Table struct {
	Sheet  string
	Header []string
	Rows   [][]any
}

// CSV writes the table as UTF-8 CSV with a byte order mark. Text that a
// spreadsheet would run as a formula (=, +, -, @ first) is quoted with a
// leading apostrophe: a citizen's words must never run in an office's Excel.
func CSV(t Table) ([]byte, error) {
	var b bytes.Buffer
	b.WriteString("\uFEFF")
	w := csv.NewWriter(&b)
	w.UseCRLF = true // what Excel writes, and RFC 4180
	if err := w.Write(t.Header); err != nil {
		return nil, fmt.Errorf("export: csv header: %w", err)
	}
	rec := make([]string, len(t.Header))
	for i, row := range t.Rows {
		if len(row) != len(t.Header) {
			return nil, fmt.Errorf("export: row %d has %d cells, the header %d", i+1, len(row), len(t.Header))
		}
		for j, cell := range row {
			rec[j] = csvCell(cell)
		}
		if err := w.Write(rec); err != nil {
			return nil, fmt.Errorf("export: csv row %d: %w", i+1, err)
		}
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return nil, fmt.Errorf("export: csv: %w", err)
	}
	return b.Bytes(), nil
}

func csvCell(cell any) string {
	switch v := cell.(type) {
	case nil:
		return ""
	case string:
		if v != "" && strings.ContainsRune("=+-@\t\r", rune(v[0])) {
			return "'" + v
		}
		return v
	case int:
		return strconv.Itoa(v)
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	case *float64:
		if v == nil {
			return ""
		}
		return strconv.FormatFloat(*v, 'f', -1, 64)
	case Percent:
		if v.Value == nil {
			return ""
		}
		// Excel reads "81.25%" as the number 0.8125 shown as a percentage.
		return strconv.FormatFloat(*v.Value*100, 'f', 2, 64) + "%"
	}
	return fmt.Sprint(cell)
}

// XLSX writes the table as an Excel workbook with one sheet, the header row
// frozen. Text cells are written as text, never as formulas.
func XLSX(t Table) ([]byte, error) {
	f := excelize.NewFile()
	defer f.Close()
	sheet := t.Sheet
	if sheet == "" {
		sheet = "Sheet1"
	}
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return nil, fmt.Errorf("export: name sheet: %w", err)
	}
	percent, err := f.NewStyle(&excelize.Style{NumFmt: 10}) // 0.00%
	if err != nil {
		return nil, fmt.Errorf("export: xlsx style: %w", err)
	}
	sw, err := f.NewStreamWriter(sheet)
	if err != nil {
		return nil, fmt.Errorf("export: xlsx: %w", err)
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return nil, fmt.Errorf("export: xlsx panes: %w", err)
	}
	header := make([]any, len(t.Header))
	for i, h := range t.Header {
		header[i] = excelize.Cell{Value: h}
	}
	if err := sw.SetRow("A1", header); err != nil {
		return nil, fmt.Errorf("export: xlsx header: %w", err)
	}
	for i, row := range t.Rows {
		if len(row) != len(t.Header) {
			return nil, fmt.Errorf("export: row %d has %d cells, the header %d", i+1, len(row), len(t.Header))
		}
		cells := make([]any, len(row))
		for j, cell := range row {
			cells[j] = xlsxCell(cell, percent)
		}
		ref, err := excelize.CoordinatesToCellName(1, i+2)
		if err != nil {
			return nil, fmt.Errorf("export: xlsx row %d: %w", i+1, err)
		}
		if err := sw.SetRow(ref, cells); err != nil {
			return nil, fmt.Errorf("export: xlsx row %d: %w", i+1, err)
		}
	}
	if err := sw.Flush(); err != nil {
		return nil, fmt.Errorf("export: xlsx: %w", err)
	}
	b, err := f.WriteToBuffer()
	if err != nil {
		return nil, fmt.Errorf("export: xlsx: %w", err)
	}
	return b.Bytes(), nil
}

func xlsxCell(cell any, percentStyle int) any {
	switch v := cell.(type) {
	case Percent:
		if v.Value == nil {
			return nil
		}
		return excelize.Cell{Value: *v.Value, StyleID: percentStyle}
	case nil:
		return nil
	case string:
		// The stream writer stores a string as a shared-string or inline
		// text cell; it never becomes a formula.
		return excelize.Cell{Value: v}
	case *float64:
		if v == nil {
			return nil
		}
		return *v
	}
	return cell
}

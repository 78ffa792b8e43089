package models

import (
	"bytes"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"golang.org/x/text/encoding/simplifiedchinese"
)

func fileErr(err error) string {
	var fe FieldErrors
	if errors.As(err, &fe) {
		return fe["file"]
	}
	return ""
}

func TestParseRosterTableRows(t *testing.T) {
	header := []string{"社区", "小区", "楼栋", "户", "姓名", "手机号", "出生年份", "户主"}
	cases := []struct {
		name   string
		row    []string
		want   RosterRow
		errors []string
	}{
		{"complete", []string{"幸福社区", "阳光小区", "1号楼", "1单元101", " 张三 ", "139 1234 5678", "1965", "是"},
			RosterRow{Community: "幸福社区", Compound: "阳光小区", Building: "1号楼", Household: "1单元101", Name: "张三", Phone: "13912345678", BirthYear: 1965, IsHead: true}, nil},
		{"group holds households: no building", []string{"幸福村", "一组", "", "8号", "李四", "", "", "否"},
			RosterRow{Community: "幸福村", Compound: "一组", Household: "8号", Name: "李四"}, nil},
		{"short row", []string{"幸福社区", "阳光小区", "1号楼", "1单元101", "王五"},
			RosterRow{Community: "幸福社区", Compound: "阳光小区", Building: "1号楼", Household: "1单元101", Name: "王五"}, nil},
		{"missing name", []string{"幸福社区", "阳光小区", "1号楼", "101", "", "", "", ""}, RosterRow{}, []string{"err.required"}},
		{"bad phone", []string{"幸福社区", "阳光小区", "1号楼", "101", "赵六", "12345", "", ""}, RosterRow{}, []string{"err.phone_invalid"}},
		{"birth year not a number", []string{"幸福社区", "阳光小区", "1号楼", "101", "赵六", "", "六五年", ""}, RosterRow{}, []string{"err.birth_year_invalid"}},
		{"birth year out of range", []string{"幸福社区", "阳光小区", "1号楼", "101", "赵六", "", "1850", ""}, RosterRow{}, []string{"err.birth_year_invalid"}},
		{"head not yes or no", []string{"幸福社区", "阳光小区", "1号楼", "101", "赵六", "", "", "也许"}, RosterRow{}, []string{"err.import_head"}},
		{"household missing", []string{"幸福社区", "阳光小区", "1号楼", "", "赵六", "", "", ""}, RosterRow{}, []string{"err.import_place_missing"}},
		{"name too long", []string{"幸福社区", "阳光小区", "1号楼", "101", strings.Repeat("名", 31), "", "", ""}, RosterRow{}, []string{"err.too_long"}},
		{"several problems", []string{"", "阳光小区", "1号楼", "101", "", "1", "x", "?"}, RosterRow{},
			[]string{"err.import_place_missing", "err.birth_year_invalid", "err.import_head", "err.required", "err.phone_invalid"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rows, err := ParseRosterTable([][]string{header, tc.row}, t0)
			if err != nil || len(rows) != 1 {
				t.Fatalf("rows %v, err %v", rows, err)
			}
			got := rows[0]
			if !reflect.DeepEqual(got.Errors, tc.errors) {
				t.Fatalf("errors %v, want %v", got.Errors, tc.errors)
			}
			if tc.errors == nil {
				tc.want.Line = 2
				if !reflect.DeepEqual(got, tc.want) {
					t.Fatalf("got %+v\nwant %+v", got, tc.want)
				}
			}
		})
	}
}

func TestParseRosterTableHeaders(t *testing.T) {
	row := []string{"幸福社区", "阳光小区", "1号楼", "101", "张三"}
	// A household path column instead of four place columns, headers in
	// another order and in English, a leading blank line.
	rows, err := ParseRosterTable([][]string{
		{""},
		{"Name", "household_path", "Phone", "Head"},
		{"张三", "幸福社区/阳光小区/1号楼/101", "13912345678", "yes"},
		{"李四", "幸福村／一组／8号", "", ""},
		{"", "", "", ""},
		{"王五", "幸福社区/101", "", ""},
	}, t0)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 3 {
		t.Fatalf("%d rows", len(rows))
	}
	if r := rows[0]; r.PathKey() != "幸福社区/阳光小区/1号楼/101" || !r.IsHead || r.Phone != "13912345678" || r.Line != 3 || r.Errors != nil {
		t.Fatalf("path row %+v", r)
	}
	if r := rows[1]; r.PathKey() != "幸福村/一组/8号" || r.Building != "" || r.Errors != nil {
		t.Fatalf("group row %+v", r)
	}
	if r := rows[2]; !reflect.DeepEqual(r.Errors, []string{"err.import_path", "err.import_place_missing"}) || r.Line != 6 {
		t.Fatalf("bad path row %+v", r)
	}
	// A header with a byte-order mark and starred required columns.
	rows, err = ParseRosterTable([][]string{{"\ufeff社区*", "小区*", "楼栋", "户*", "姓名*"}, row}, t0)
	if err != nil || len(rows) != 1 || rows[0].Errors != nil {
		t.Fatalf("starred header: %v %+v", err, rows)
	}
	for name, table := range map[string][][]string{
		"no name column":  {{"社区", "小区", "楼栋", "户"}, row},
		"no place column": {{"姓名", "手机号"}, {"张三", ""}},
		"not a roster":    {{"a", "b"}, {"1", "2"}},
	} {
		if _, err := ParseRosterTable(table, t0); fileErr(err) != "err.import_header" {
			t.Errorf("%s: %v", name, err)
		}
	}
	if _, err := ParseRosterTable([][]string{RosterHeader, {"", " "}}, t0); fileErr(err) != "err.import_empty" {
		t.Errorf("header only: %v", err)
	}
	if _, err := ParseRosterTable(nil, t0); fileErr(err) != "err.import_empty" {
		t.Errorf("nothing: %v", err)
	}
	big := [][]string{RosterHeader}
	for i := 0; i <= MaxImportRows; i++ {
		big = append(big, []string{"幸福社区", "阳光小区", "1号楼", "101", fmt.Sprintf("人%d", i)})
	}
	if _, err := ParseRosterTable(big, t0); fileErr(err) != "err.import_too_many_rows" {
		t.Errorf("too many rows: %v", err)
	}
	if _, err := ParseRosterTable(big[:MaxImportRows+1], t0); err != nil {
		t.Errorf("exactly the limit: %v", err)
	}
}

func TestReadRosterCSVAndXLSX(t *testing.T) {
	want := []RosterRow{
		{Line: 2, Community: "幸福社区", Compound: "阳光小区", Building: "1号楼", Household: "1单元101", Name: "张三", Phone: "13912345678", BirthYear: 1965, IsHead: true},
		{Line: 3, Community: "幸福村", Compound: "一组", Household: "8号", Name: "李, 四"},
	}
	// CSV with a byte-order mark (as exported) and without one.
	var buf bytes.Buffer
	if err := WriteRosterCSV(&buf, want); err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(buf.Bytes(), []byte("\xef\xbb\xbf社区,")) {
		t.Fatalf("csv starts %q", buf.String()[:20])
	}
	for name, data := range map[string][]byte{"bom": buf.Bytes(), "no bom": bytes.TrimPrefix(buf.Bytes(), []byte("\xef\xbb\xbf"))} {
		got, err := ReadRoster("名册.CSV", bytes.NewReader(data), t0)
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("%s: %v\n got %+v\nwant %+v", name, err, got, want)
		}
	}
	// .xlsx written and read back; every cell is text, so phones survive.
	buf.Reset()
	if err := WriteRosterXLSX(&buf, want); err != nil {
		t.Fatal(err)
	}
	got, err := ReadRoster("roster.xlsx", bytes.NewReader(buf.Bytes()), t0)
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("xlsx: %v\n got %+v\nwant %+v", err, got, want)
	}
	// The downloadable template parses clean.
	buf.Reset()
	if err := WriteRosterXLSX(&buf, TemplateRows); err != nil {
		t.Fatal(err)
	}
	if rows, err := ReadRosterXLSX(bytes.NewReader(buf.Bytes()), t0); err != nil || len(rows) != len(TemplateRows) || countErrors(rows) != 0 {
		t.Errorf("template: %v %+v", err, rows)
	}

	// A CSV saved by Excel on a Chinese system is GBK: read as such.
	buf.Reset()
	if err := WriteRosterCSV(&buf, want); err != nil {
		t.Fatal(err)
	}
	gbk, err := simplifiedchinese.GBK.NewEncoder().Bytes(bytes.TrimPrefix(buf.Bytes(), []byte("\xef\xbb\xbf")))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(gbk, []byte("\xc9\xe7\xc7\xf8,")) { // 社区, in GBK
		t.Fatalf("gbk starts %q", gbk[:8])
	}
	if got, err := ReadRoster("名册.csv", bytes.NewReader(gbk), t0); err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("gbk: %v\n got %+v\nwant %+v", err, got, want)
	}

	for _, tc := range []struct {
		name, file string
		data       []byte
		want       string
	}{
		{"neither utf-8 nor gbk", "a.csv", []byte("\xff\xfe\xfd,\x80\n"), "err.import_encoding"},
		{"gbk cut mid-character", "a.csv", []byte("\xc9\xe7\xc7"), "err.import_encoding"},
		{"too big", "a.csv", bytes.Repeat([]byte("a"), MaxImportBytes+1), "err.import_too_big"},
		{"xls is not xlsx", "a.xls", []byte("x"), "err.import_type"},
		{"broken xlsx", "a.xlsx", []byte("PK not really"), "err.import_unreadable"},
	} {
		if _, err := ReadRoster(tc.file, bytes.NewReader(tc.data), t0); fileErr(err) != tc.want {
			t.Errorf("%s: %v, want %s", tc.name, err, tc.want)
		}
	}
}

func TestCSVCellsCannotBecomeFormulas(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteRosterCSV(&buf, []RosterRow{{Community: "=1+1", Compound: "@x", Household: "-2", Name: "+张"}}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), "'=1+1,'@x,,'-2,'+张") {
		t.Fatalf("csv: %q", buf.String())
	}
}

func TestParseYesNo(t *testing.T) {
	for in, want := range map[string]bool{"": false, "否": false, "No": false, "0": false, "是": true, "YES": true, "1": true, " y ": true} {
		if got, ok := ParseYesNo(in); !ok || got != want {
			t.Errorf("%q: %v %v", in, got, ok)
		}
	}
	if _, ok := ParseYesNo("也许"); ok {
		t.Error("也许 accepted")
	}
}

func TestInviteCodes(t *testing.T) {
	seen := map[string]bool{}
	for i := 0; i < 500; i++ {
		c, err := NewInviteCode()
		if err != nil {
			t.Fatal(err)
		}
		if len(c) < 8 || len(c) != InviteCodeLen || !ValidInviteFormat(c) {
			t.Fatalf("code %q", c)
		}
		if seen[c] {
			t.Fatalf("repeated code %q", c)
		}
		seen[c] = true
	}
	code := "ABCDE23456"
	typed := " abcde-23456 "
	if NormalizeInviteCode(typed) != code || HashInviteCode(typed) != HashInviteCode(code) {
		t.Fatal("a typed code with dash, spaces and lower case must match")
	}
	if h := HashInviteCode(code); len(h) != 64 || strings.Contains(h, code) {
		t.Fatalf("hash %q", h)
	}
	if FormatInviteCode(code) != "ABCDE-23456" {
		t.Fatal(FormatInviteCode(code))
	}
	for _, bad := range []string{"", "ABCDE2345", "ABCDE234567", "ABCDE2345O", "ABCDE23451", "ABCDE2345I", "ABCDE2345L", "ABCDE2345!"} {
		if ValidInviteFormat(bad) {
			t.Errorf("%q accepted", bad)
		}
	}
	now := t0
	used := uint64(1)
	if !InviteUsable(InviteCode{ExpiresAt: now.Add(InviteCodeValid)}, now) {
		t.Error("fresh code unusable")
	}
	if InviteUsable(InviteCode{ExpiresAt: now}, now) || InviteUsable(InviteCode{ExpiresAt: now.Add(1), UsedByID: &used}, now) {
		t.Error("expired or used code usable")
	}
}

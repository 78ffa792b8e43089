package models

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"
)

// Roster import limits: a file larger or longer than this is refused whole,
// with a message saying so, rather than cut short.
const (
	MaxImportBytes = 2 << 20 // 2 MB
	MaxImportRows  = 2000
)

// Invite guessing limit: an account that entered this many wrong codes in
// the last InviteGuessWindow must wait before trying again.
const (
	MaxInviteFailures = 5
	InviteGuessWindow = time.Hour
)

// Roster import and invitation errors.
var (
	ErrInviteTooMany     = &Error{Code: "err.invite_too_many"}
	ErrImportHasErrors   = &Error{Code: "err.import_has_errors"}
	ErrImportCommitted   = &Error{Code: "err.import_committed"}
	ErrRegistrationOpen  = &Error{Code: "err.registration_pending"}
	ErrRegistrationFinal = &Error{Code: "err.registration_decided"}
)

// RosterHeader is the header row of the roster template and of exports:
// 社区 / 小区或小组 / 楼栋 (blank when a group holds households directly) /
// 户, then the person. Imports also accept one 住户路径 column in place of
// the four place columns, with the names joined by "/".
var RosterHeader = []string{"社区", "小区", "楼栋", "户", "姓名", "手机号", "出生年份", "户主"}

// roster column roles, as found in a header row.
const (
	colCommunity = iota
	colCompound
	colBuilding
	colHousehold
	colName
	colPhone
	colBirthYear
	colHead
	colPath
	colCount
)

// headerAliases maps a normalised header cell to its column role.
var headerAliases = map[string]int{
	"社区": colCommunity, "村": colCommunity, "社区/村": colCommunity, "community": colCommunity,
	"小区": colCompound, "小组": colCompound, "小区/小组": colCompound, "居民小组": colCompound, "compound": colCompound,
	"楼栋": colBuilding, "楼": colBuilding, "building": colBuilding,
	"户": colHousehold, "户号": colHousehold, "门牌": colHousehold, "household": colHousehold,
	"姓名": colName, "name": colName,
	"手机号": colPhone, "手机": colPhone, "电话": colPhone, "phone": colPhone,
	"出生年份": colBirthYear, "出生年": colBirthYear, "birth_year": colBirthYear, "birthyear": colBirthYear,
	"户主": colHead, "是否户主": colHead, "head": colHead,
	"住户路径": colPath, "住户": colPath, "household_path": colPath, "path": colPath,
}

// RosterRow is one line of a roster file (名册行): where the person lives, by
// place names from the community down, and who they are. Errors holds
// catalog keys of what is wrong with the row; HouseholdID is filled in when
// the row's place names are found in the tree.
type RosterRow struct {
	Line        int      `json:"line"`
	Community   string   `json:"community"`
	Compound    string   `json:"compound"`
	Building    string   `json:"building"`
	Household   string   `json:"household"`
	Name        string   `json:"name"`
	Phone       string   `json:"phone"`
	BirthYear   int      `json:"birth_year"`
	IsHead      bool     `json:"is_head"`
	HouseholdID uint64   `json:"household_id,omitempty"`
	Errors      []string `json:"errors,omitempty"`
}

// PathKey is the row's household as "社区/小区/楼栋/户" (no building part when blank).
func (r RosterRow) PathKey() string {
	parts := []string{r.Community, r.Compound}
	if r.Building != "" {
		parts = append(parts, r.Building)
	}
	return strings.Join(append(parts, r.Household), "/")
}

// Input is the row as a roster entry.
func (r RosterRow) Input() ResidentInput {
	return ResidentInput{Name: r.Name, Phone: r.Phone, BirthYear: r.BirthYear, IsHead: r.IsHead}
}

func (r *RosterRow) addError(code string) {
	for _, e := range r.Errors {
		if e == code {
			return
		}
	}
	r.Errors = append(r.Errors, code)
}

// ParseRosterTable reads a header row and data rows into roster rows, each
// checked on its own (place names present, name, phone, birth year, head).
// A file whose header names no usable columns is refused as a whole with
// a FieldErrors on "file". Blank lines are skipped.
func ParseRosterTable(table [][]string, now time.Time) ([]RosterRow, error) {
	hdr := -1
	for i, rec := range table {
		if !blankRecord(rec) {
			hdr = i
			break
		}
	}
	if hdr < 0 {
		return nil, FieldErrors{"file": "err.import_empty"}
	}
	cols := make([]int, colCount)
	for i := range cols {
		cols[i] = -1
	}
	for i, cell := range table[hdr] {
		key := strings.ToLower(strings.TrimSpace(strings.TrimPrefix(cell, "\ufeff")))
		key = strings.TrimSuffix(strings.TrimSuffix(key, "*"), "（必填）")
		if role, ok := headerAliases[key]; ok && cols[role] < 0 {
			cols[role] = i
		}
	}
	hasPlaces := cols[colPath] >= 0 || (cols[colCommunity] >= 0 && cols[colCompound] >= 0 && cols[colHousehold] >= 0)
	if cols[colName] < 0 || !hasPlaces {
		return nil, FieldErrors{"file": "err.import_header"}
	}
	var out []RosterRow
	for i := hdr + 1; i < len(table); i++ {
		rec := table[i]
		if blankRecord(rec) {
			continue
		}
		if len(out) >= MaxImportRows {
			return nil, FieldErrors{"file": "err.import_too_many_rows"}
		}
		cell := func(role int) string {
			c := cols[role]
			if c < 0 || c >= len(rec) {
				return ""
			}
			return strings.TrimSpace(rec[c])
		}
		row := RosterRow{Line: i + 1, Community: cell(colCommunity), Compound: cell(colCompound), Building: cell(colBuilding), Household: cell(colHousehold)}
		if p := cell(colPath); p != "" && row.Community == "" && row.Household == "" {
			parts := splitPath(p)
			switch len(parts) {
			case 3:
				row.Community, row.Compound, row.Household = parts[0], parts[1], parts[2]
			case 4:
				row.Community, row.Compound, row.Building, row.Household = parts[0], parts[1], parts[2], parts[3]
			default:
				row.addError("err.import_path")
			}
		}
		if row.Community == "" || row.Compound == "" || row.Household == "" {
			row.addError("err.import_place_missing")
		}
		in := ResidentInput{Name: cell(colName), Phone: cell(colPhone)}
		if y := cell(colBirthYear); y != "" {
			n, err := strconv.Atoi(strings.TrimSuffix(strings.TrimSuffix(y, "年"), ".0"))
			if err != nil {
				row.addError("err.birth_year_invalid")
			} else {
				in.BirthYear = n
			}
		}
		head, ok := ParseYesNo(cell(colHead))
		if !ok {
			row.addError("err.import_head")
		}
		in.IsHead = head
		for _, field := range []string{"name", "phone", "birth_year"} {
			if code, bad := in.Validate(now)[field]; bad {
				row.addError(code)
			}
		}
		row.Name, row.Phone, row.BirthYear, row.IsHead = in.Name, in.Phone, in.BirthYear, in.IsHead
		out = append(out, row)
	}
	if len(out) == 0 {
		return nil, FieldErrors{"file": "err.import_empty"}
	}
	return out, nil
}

func splitPath(p string) []string {
	var out []string
	for _, s := range strings.FieldsFunc(p, func(r rune) bool { return r == '/' || r == '／' }) {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

func blankRecord(rec []string) bool {
	for _, c := range rec {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

// ParseYesNo reads a 户主 cell: 是/否, yes/no, 1/0, Y/N or blank (no).
func ParseYesNo(s string) (bool, bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "否", "no", "n", "0", "false", "×":
		return false, true
	case "是", "yes", "y", "1", "true", "√", "户主":
		return true, true
	}
	return false, false
}

// ReadRosterCSV reads a CSV roster in UTF-8 (a byte-order mark is
// dropped) or in GBK/GB18030, which Excel on a Chinese system writes when
// told just "CSV". A file that is neither is refused rather than guessed.
func ReadRosterCSV(r io.Reader, now time.Time) ([]RosterRow, error) {
	b, err := io.ReadAll(io.LimitReader(r, MaxImportBytes+1))
	if err != nil {
		return nil, err
	}
	if len(b) > MaxImportBytes {
		return nil, FieldErrors{"file": "err.import_too_big"}
	}
	b = bytes.TrimPrefix(b, []byte("\xef\xbb\xbf"))
	if !isUTF8(b) {
		d, ok := fromGB18030(b)
		if !ok {
			return nil, FieldErrors{"file": "err.import_encoding"}
		}
		b = d
	}
	cr := csv.NewReader(bytes.NewReader(b))
	cr.FieldsPerRecord = -1
	cr.LazyQuotes = true
	table, err := cr.ReadAll()
	if err != nil {
		return nil, FieldErrors{"file": "err.import_unreadable"}
	}
	return ParseRosterTable(table, now)
}

// ReadRosterXLSX reads the first sheet of an .xlsx roster.
func ReadRosterXLSX(r io.Reader, now time.Time) ([]RosterRow, error) {
	b, err := io.ReadAll(io.LimitReader(r, MaxImportBytes+1))
	if err != nil {
		return nil, err
	}
	if len(b) > MaxImportBytes {
		return nil, FieldErrors{"file": "err.import_too_big"}
	}
	f, err := excelize.OpenReader(bytes.NewReader(b))
	if err != nil {
		return nil, FieldErrors{"file": "err.import_unreadable"}
	}
	defer f.Close()
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		return nil, FieldErrors{"file": "err.import_empty"}
	}
	table, err := f.GetRows(sheets[0])
	if err != nil {
		return nil, FieldErrors{"file": "err.import_unreadable"}
	}
	if len(table) > MaxImportRows+1 {
		return nil, FieldErrors{"file": "err.import_too_many_rows"}
	}
	return ParseRosterTable(table, now)
}

// ReadRoster picks the reader by the file name's extension.
func ReadRoster(fileName string, r io.Reader, now time.Time) ([]RosterRow, error) {
	switch strings.ToLower(fileExt(fileName)) {
	case ".csv", ".txt":
		return ReadRosterCSV(r, now)
	case ".xlsx":
		return ReadRosterXLSX(r, now)
	}
	return nil, FieldErrors{"file": "err.import_type"}
}

func fileExt(name string) string {
	if i := strings.LastIndexByte(name, '.'); i >= 0 {
		return name[i:]
	}
	return ""
}

func isUTF8(b []byte) bool { return strings.ToValidUTF8(string(b), "\uFFFD") == string(b) }

// fromGB18030 decodes b as GB18030 (a superset of GBK and GB2312); ok is
// false when b is not valid GB18030 either, or decodes to a replacement
// character.
func fromGB18030(b []byte) ([]byte, bool) {
	d, err := simplifiedchinese.GB18030.NewDecoder().Bytes(b)
	if err != nil || bytes.ContainsRune(d, utf8.RuneError) || !utf8.Valid(d) {
		return nil, false
	}
	return d, true
}

// rosterRecord is a row as the cells of the template's columns.
func rosterRecord(r RosterRow) []string {
	year, head := "", "否"
	if r.BirthYear != 0 {
		year = strconv.Itoa(r.BirthYear)
	}
	if r.IsHead {
		head = "是"
	}
	return []string{r.Community, r.Compound, r.Building, r.Household, r.Name, r.Phone, year, head}
}

// WriteRosterCSV writes rows under RosterHeader as UTF-8 CSV with a
// byte-order mark, so that Excel opens the Chinese correctly.
func WriteRosterCSV(w io.Writer, rows []RosterRow) error {
	if _, err := w.Write([]byte("\xef\xbb\xbf")); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	if err := cw.Write(RosterHeader); err != nil {
		return err
	}
	for _, r := range rows {
		rec := rosterRecord(r)
		for i, c := range rec {
			rec[i] = csvSafe(c)
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// csvSafe keeps a cell from being read as a formula by a spreadsheet.
func csvSafe(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// WriteRosterXLSX writes rows under RosterHeader as an .xlsx workbook; every
// cell is text, so phone numbers keep their digits.
func WriteRosterXLSX(w io.Writer, rows []RosterRow) error {
	f := excelize.NewFile()
	defer f.Close()
	const sheet = "名册"
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return err
	}
	sw, err := f.NewStreamWriter(sheet)
	if err != nil {
		return err
	}
	if err := sw.SetColWidth(1, 4, 14); err != nil {
		return err
	}
	if err := sw.SetColWidth(5, 8, 12); err != nil {
		return err
	}
	write := func(n int, rec []string) error {
		cells := make([]any, len(rec))
		for i, c := range rec {
			cells[i] = c
		}
		cellName, err := excelize.CoordinatesToCellName(1, n)
		if err != nil {
			return err
		}
		return sw.SetRow(cellName, cells)
	}
	if err := write(1, RosterHeader); err != nil {
		return err
	}
	for i, r := range rows {
		if err := write(i+2, rosterRecord(r)); err != nil {
			return err
		}
	}
	if err := sw.Flush(); err != nil {
		return err
	}
	return f.Write(w)
}

// TemplateRows are the example rows of the downloadable template.
var TemplateRows = []RosterRow{
	{Community: "幸福社区", Compound: "阳光小区", Building: "1号楼", Household: "1单元101", Name: "张三", Phone: "13912345678", BirthYear: 1965, IsHead: true},
	{Community: "幸福社区", Compound: "阳光小区", Building: "1号楼", Household: "1单元101", Name: "李四", BirthYear: 1968},
}

// NewInviteCode returns a random code of InviteCodeLen characters from the
// invite alphabet.
func NewInviteCode() (string, error) {
	b := make([]byte, InviteCodeLen)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	out := make([]byte, InviteCodeLen)
	// 256 is not a multiple of the alphabet's size: reject the bytes above
	// the largest multiple so every character is equally likely.
	limit := byte(256 - 256%len(inviteAlphabet))
	for i := 0; i < InviteCodeLen; {
		for _, c := range b {
			if c < limit && i < InviteCodeLen {
				out[i] = inviteAlphabet[int(c)%len(inviteAlphabet)]
				i++
			}
		}
		if _, err := rand.Read(b); err != nil {
			return "", err
		}
	}
	return string(out), nil
}

// ValidInviteFormat reports whether a normalised code has the right length
// and only characters of the invite alphabet.
func ValidInviteFormat(code string) bool {
	if len(code) != InviteCodeLen {
		return false
	}
	for i := 0; i < len(code); i++ {
		if !strings.ContainsRune(inviteAlphabet, rune(code[i])) {
			return false
		}
	}
	return true
}

// HashInviteCode is what is stored for a code: its SHA-256 in hex. Codes are
// random over 31^10 values, so an unsalted hash is enough to keep a database
// reader from using them.
func HashInviteCode(code string) string {
	h := sha256.Sum256([]byte(NormalizeInviteCode(code)))
	return hex.EncodeToString(h[:])
}

// FormatInviteCode groups a code for print: "ABCDE-FGHJK".
func FormatInviteCode(code string) string {
	if len(code) != InviteCodeLen {
		return code
	}
	return code[:5] + "-" + code[5:]
}

// RosterImport is one uploaded roster file (名册导入批次): its rows parsed and
// checked, waiting for staff to look at the preview and commit it. Rows is
// the JSON of []RosterRow.
type RosterImport struct {
	ID          uint64 `gorm:"primaryKey"`
	AccountID   uint64
	ScopeID     uint64
	FileName    string
	RowCount    int
	ErrorCount  int
	Rows        string
	CommittedAt *time.Time
	CreatedAt   time.Time
}

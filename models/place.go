package models

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// PlaceKind is the level of a node in the place tree.
type PlaceKind string

// The levels of the place tree, from the top.
const (
	KindStreet    PlaceKind = "street"    // 街道
	KindTownship  PlaceKind = "township"  // 乡镇
	KindCommunity PlaceKind = "community" // 社区
	KindVillage   PlaceKind = "village"   // 村
	KindCompound  PlaceKind = "compound"  // 小区
	KindGroup     PlaceKind = "group"     // 居民小组 / 村民小组
	KindBuilding  PlaceKind = "building"  // 楼栋
	KindHousehold PlaceKind = "household" // 户
)

// PlaceKinds lists every kind in tree order.
var PlaceKinds = []PlaceKind{KindStreet, KindTownship, KindCommunity, KindVillage, KindCompound, KindGroup, KindBuilding, KindHousehold}

// level is the depth a kind sits at: streets and townships at 0, households at 4.
func (k PlaceKind) level() int {
	switch k {
	case KindStreet, KindTownship:
		return 0
	case KindCommunity, KindVillage:
		return 1
	case KindCompound, KindGroup:
		return 2
	case KindBuilding:
		return 3
	case KindHousehold:
		return 4
	}
	return -1
}

// Valid reports whether k is a known kind.
func (k PlaceKind) Valid() bool { return k.level() >= 0 }

// ChildKinds lists the kinds that may be created directly below a place of
// kind k. A household is the leaf of the tree. A compound or group may hold
// households directly (a village group has no buildings).
func (k PlaceKind) ChildKinds() []PlaceKind {
	switch k {
	case KindStreet, KindTownship:
		return []PlaceKind{KindCommunity, KindVillage}
	case KindCommunity, KindVillage:
		return []PlaceKind{KindCompound, KindGroup}
	case KindCompound, KindGroup:
		return []PlaceKind{KindBuilding, KindHousehold}
	case KindBuilding:
		return []PlaceKind{KindHousehold}
	}
	return nil
}

// CanHold reports whether a place of kind child may sit directly below one of kind k.
func (k PlaceKind) CanHold(child PlaceKind) bool {
	for _, c := range k.ChildKinds() {
		if c == child {
			return true
		}
	}
	return false
}

// Place is one node of the place tree: 街道/乡镇 → 社区/村 → 小区/居民小组 →
// 楼栋 → 户. Path holds the ids from the root, "/1/4/9/", so that a subtree is
// every place whose path starts with its root's path.
type Place struct {
	ID        uint64 `gorm:"primaryKey"`
	ParentID  *uint64
	Kind      PlaceKind
	Name      string
	Path      string
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Contains reports whether other is p itself or lies in p's subtree.
func (p Place) Contains(other Place) bool {
	return p.Path != "" && strings.HasPrefix(other.Path, p.Path)
}

// AncestorIDs returns the ids on p's path from the root down to p itself.
func (p Place) AncestorIDs() []uint64 {
	var ids []uint64
	for _, s := range strings.Split(strings.Trim(p.Path, "/"), "/") {
		if id, err := strconv.ParseUint(s, 10, 64); err == nil {
			ids = append(ids, id)
		}
	}
	return ids
}

// childPath is the path of a child with id below a parent with parentPath.
func childPath(parentPath string, id uint64) string {
	if parentPath == "" {
		parentPath = "/"
	}
	return fmt.Sprintf("%s%d/", parentPath, id)
}

// PlaceInput is what staff submit to create or rename a place.
type PlaceInput struct {
	ParentID uint64
	Kind     PlaceKind
	Name     string
}

// ValidatePlace checks a new place against its parent (nil for a root).
func ValidatePlace(in PlaceInput, parent *Place) FieldErrors {
	fe := FieldErrors{}
	name := strings.TrimSpace(in.Name)
	switch {
	case name == "":
		fe.Add("name", "err.required")
	case len([]rune(name)) > 60:
		fe.Add("name", "err.too_long")
	}
	if !in.Kind.Valid() {
		fe.Add("kind", "err.invalid_choice")
	} else if parent == nil {
		if in.Kind.level() != 0 {
			fe.Add("kind", "err.place_kind_not_allowed")
		}
	} else if !parent.Kind.CanHold(in.Kind) {
		fe.Add("kind", "err.place_kind_not_allowed")
	}
	return fe
}

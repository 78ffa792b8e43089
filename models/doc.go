// Package models holds Yishi's domain: the entities, the rules over them as
// plain functions of data and time, and the Store that persists them with
// GORM on SQLite or PostgreSQL. It imports neither echo nor templ.
package models

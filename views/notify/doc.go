// Package notify holds the inbox pages (站内通知).
package notify

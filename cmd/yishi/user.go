package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"

	"yishi/models"
)

func cmdUser(ctx context.Context, args []string, stdin io.Reader, stdout io.Writer) error {
	fs := flag.NewFlagSet("user", flag.ContinueOnError)
	dbURL := dbFlag(fs)
	phone := fs.String("phone", "", "mobile number (the login)")
	name := fs.String("name", "", "display name (user add)")
	role := fs.String("role", "", "role to grant (user add): "+rolesList())
	place := fs.Uint64("place", 0, "place id the role is granted at (user add)")
	password := fs.String("password", "", "password; read from standard input when empty")
	sub, err := parseArgs(fs, args, true, "")
	if err != nil {
		return err
	}
	if sub == "" {
		return exitError{2, "user: give a subcommand: add, passwd or second-factor-off"}
	}
	if sub != "add" && sub != "passwd" && sub != "second-factor-off" {
		return exitError{2, "user: unknown subcommand " + strconv.Quote(sub) + " (add, passwd, second-factor-off)"}
	}
	if sub == "add" && *role != "" && *place == 0 {
		return exitError{2, "user add: --role needs --place"}
	}
	if *password == "" && sub != "second-factor-off" {
		line, err := bufio.NewReader(stdin).ReadString('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return err
		}
		*password = strings.TrimRight(line, "\r\n")
	}
	store, err := openStore(ctx, *dbURL, false)
	if err != nil {
		return err
	}
	defer store.Close()
	switch sub {
	case "add":
		var acct models.Account
		err := store.InTx(ctx, func(ctx context.Context) error {
			var err error
			acct, err = store.CreateAccount(ctx, models.AccountInput{Phone: *phone, Name: *name, Password: *password, Confirm: *password}, nil)
			if err != nil {
				return err
			}
			if *role != "" {
				return store.GrantRoleAsSystem(ctx, acct.ID, models.Role(*role), *place)
			}
			return nil
		})
		var fe models.FieldErrors
		if errors.As(err, &fe) {
			return exitError{1, "user add: " + describe(fe)}
		}
		if err != nil {
			return err
		}
		if _, err := sealAll(ctx, store); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "account %d created for %s\n", acct.ID, acct.Phone)
		return nil
	case "passwd":
		acct, err := store.AccountByPhone(ctx, *phone)
		if err != nil {
			return exitError{1, "user passwd: no account with that phone"}
		}
		err = store.SetPassword(ctx, acct.ID, *password, nil)
		var fe models.FieldErrors
		if errors.As(err, &fe) {
			return exitError{1, "user passwd: " + describe(fe)}
		}
		if err != nil {
			return err
		}
		if _, err := sealAll(ctx, store); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "password changed for %s; its sessions have ended\n", acct.Phone)
		return nil
	case "second-factor-off":
		acct, err := store.AccountByPhone(ctx, *phone)
		if err != nil {
			return exitError{1, "user second-factor-off: no account with that phone"}
		}
		err = store.ResetSecondFactorAsSystem(ctx, acct.ID)
		if errors.Is(err, models.ErrSecondFactorOff) {
			return exitError{1, "user second-factor-off: two-step sign-in is not on for " + acct.Phone}
		}
		if err != nil {
			return err
		}
		if _, err := sealAll(ctx, store); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "two-step sign-in switched off for %s; the password alone signs in\n", acct.Phone)
		return nil
	}
	return nil
}

func rolesList() string {
	var s []string
	for _, r := range models.Roles {
		s = append(s, string(r))
	}
	return strings.Join(s, ", ")
}

// describe renders field errors for the terminal (in English).
func describe(fe models.FieldErrors) string {
	var parts []string
	for f, code := range fe {
		msg, ok := cliMessages[code]
		if !ok {
			msg = code
		}
		parts = append(parts, f+": "+msg)
	}
	sort.Strings(parts)
	return strings.Join(parts, "; ")
}

var cliMessages = map[string]string{
	"err.required":           "required",
	"err.too_long":           "too long",
	"err.phone_invalid":      "not an 11-digit mobile number",
	"err.password_too_short": "at least 8 characters",
	"err.password_weak":      "too easy to guess (a common password, one character repeated, a run such as 12345678, or the phone number)",
	"err.password_mismatch":  "passwords differ",
	"err.phone_taken":        "already registered",
	"err.invalid_choice":     "unknown value",
}

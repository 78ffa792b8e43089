package main

import (
	"context"
	"flag"
	"fmt"
	"io"

	"yishi/models/demo"
)

func cmdDemo(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	dbURL := dbFlag(fs)
	if _, err := parseArgs(fs, args, false, ""); err != nil {
		return err
	}
	store, err := openStore(ctx, *dbURL, true)
	if err != nil {
		return err
	}
	defer store.Close()
	if err := demo.Load(ctx, store); err != nil {
		return err
	}
	if _, err := sealAll(ctx, store); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "demo street %s is loaded; every demo account's password is %s\n", demo.StreetName, demo.Password)
	return nil
}

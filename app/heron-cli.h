/* heron-cli.h: what the heron-cli command files share.
 *
 * Copyright 2026 The Heron developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

#include "heron-backend.h"
#include "sync/heron-account-worker.h"

G_BEGIN_DECLS

/* Exit codes of every heron-cli command (documented in heron-cli --help and docs/cli.md). */
typedef enum {
  HERON_CLI_EXIT_OK        = 0,
  HERON_CLI_EXIT_FAILURE   = 1, /* the operation failed: keyring, disk, server... */
  HERON_CLI_EXIT_USAGE     = 2, /* bad arguments or values */
  HERON_CLI_EXIT_NOT_FOUND = 3, /* no such account, folder or message */
} HeronCliExit;

typedef struct {
  gboolean json;                /* --json: one JSON document on stdout */
} HeronCli;

/* Runs the thread-default main context until *@result is set by heron_cli_async_done(). */
void          heron_cli_wait              (GAsyncResult   **result);
void          heron_cli_async_done        (GObject         *source_object,
                                           GAsyncResult    *res,
                                           gpointer         user_data);

/* Prints an error to stderr (and as {"error": ...} on stdout with --json); returns @code. */
int           heron_cli_fail              (HeronCli        *cli,
                                           HeronCliExit     code,
                                           const char      *format,
                                           ...) G_GNUC_PRINTF (3, 4);
int           heron_cli_fail_error        (HeronCli        *cli,
                                           HeronCliExit     code,
                                           const GError    *error);

/* How long heron-cli waits for the copy in Sent to be filed after a message was sent (it needs
 * the account's folder list); what is left is filed the next time the account is online. */
#define HERON_CLI_FILE_COPY_TIMEOUT_MS 30000

/* Whether the outbox of @worker's cache holds @message_id; FALSE when it cannot be read (there
 * is nothing to wait for then). Read through a connection of its own, as a reader on another
 * thread. */
gboolean      heron_cli_outbox_holds       (HeronAccountWorker *worker,
                                            const char         *message_id);
/* After @message_id was sent by @worker's outbox (its SENT event came): waits, at most
 * @timeout_ms, until the message left the outbox (its copy was filed in Sent, or none is kept),
 * then, online, until the worker replayed the copy (a folder-list sync queued then runs after
 * it). Woken by the worker only: its SENT, SEND_FAILED and JOURNAL_CHANGED events and a request
 * queued behind the outbox's job; the outbox is read again after each of those, never on a
 * clock. A request still queued when the time is up is ended by stopping the worker. Returns
 * whether the message left the outbox in time; what is left is done the next time the account
 * is online. */
gboolean      heron_cli_wait_for_sent_copy (HeronAccountWorker *worker,
                                            const char         *message_id,
                                            guint               timeout_ms);

/* Prints @node as pretty JSON on stdout. */
void          heron_cli_print_json        (JsonNode        *node);

/* Reads all of standard input, without one trailing newline. */
char         *heron_cli_read_stdin_secret (GError         **error);

int           heron_cli_account           (HeronCli        *cli,
                                           int              argc,
                                           char           **argv);
int           heron_cli_render            (HeronCli        *cli,
                                           int              argc,
                                           char           **argv);
int           heron_cli_send              (HeronCli        *cli,
                                           int              argc,
                                           char           **argv);
int           heron_cli_outbox            (HeronCli        *cli,
                                           int              argc,
                                           char           **argv);

/* heron-cli-mail.c, heron-cli-mail-sync.c */
int           heron_cli_sync              (HeronCli        *cli,
                                           int              argc,
                                           char           **argv);
int           heron_cli_folders           (HeronCli        *cli,
                                           int              argc,
                                           char           **argv);
int           heron_cli_list              (HeronCli        *cli,
                                           int              argc,
                                           char           **argv);
int           heron_cli_flag              (HeronCli        *cli,
                                           int              argc,
                                           char           **argv);
int           heron_cli_search            (HeronCli        *cli,
                                           int              argc,
                                           char           **argv);
int           heron_cli_watch             (HeronCli        *cli,
                                           int              argc,
                                           char           **argv);
/* heron-cli-mail-ops.c */
int           heron_cli_move              (HeronCli        *cli,
                                           int              argc,
                                           char           **argv);
int           heron_cli_copy              (HeronCli        *cli,
                                           int              argc,
                                           char           **argv);
int           heron_cli_delete            (HeronCli        *cli,
                                           int              argc,
                                           char           **argv);
int           heron_cli_mkdir             (HeronCli        *cli,
                                           int              argc,
                                           char           **argv);
int           heron_cli_rename            (HeronCli        *cli,
                                           int              argc,
                                           char           **argv);
int           heron_cli_rmdir             (HeronCli        *cli,
                                           int              argc,
                                           char           **argv);
/* heron-cli-mail-show.c */
int           heron_cli_show              (HeronCli        *cli,
                                           int              argc,
                                           char           **argv);
/* heron-cli-pending.c */
int           heron_cli_pending           (HeronCli        *cli,
                                           int              argc,
                                           char           **argv);
int           heron_cli_retry             (HeronCli        *cli,
                                           int              argc,
                                           char           **argv);
int           heron_cli_discard           (HeronCli        *cli,
                                           int              argc,
                                           char           **argv);

G_END_DECLS

/* heron-cli.c: the heron-cli program: Heron's backend on the command line, for scripting,
 * diagnosis and benchmarks. Honours XDG_CONFIG_HOME and XDG_DATA_HOME like the application.
 *
 * Copyright 2026 The Heron developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "heron-cli.h"
#include "store/heron-store.h"

typedef struct {
  const char *name;
  const char *summary;
  int (*run) (HeronCli *cli, int argc, char **argv);
} Command;

static const Command commands[] = {
  { "account", N_("Add, list and remove accounts"), heron_cli_account },
  { "render", N_("Show a message file as Heron shows it"), heron_cli_render },
  { "send", N_("Send a message over the account's SMTP server"), heron_cli_send },
  { "outbox", N_("List the messages waiting in an account's outbox"), heron_cli_outbox },
  { "sync", N_("Bring an account's cache up to date with its server"), heron_cli_sync },
  { "folders", N_("List an account's folders from the cache"), heron_cli_folders },
  { "list", N_("List a folder's newest messages from the cache"), heron_cli_list },
  { "show", N_("Show a message of the cache, fetching its body when needed"), heron_cli_show },
  { "flag", N_("Add or remove a message's flags"), heron_cli_flag },
  { "move", N_("Move messages to another folder"), heron_cli_move },
  { "copy", N_("Copy messages to another folder"), heron_cli_copy },
  { "delete", N_("Move messages to the Trash, or remove them for good"), heron_cli_delete },
  { "mkdir", N_("Create a folder"), heron_cli_mkdir },
  { "rename", N_("Rename a folder"), heron_cli_rename },
  { "rmdir", N_("Delete a folder"), heron_cli_rmdir },
  { "search", N_("Search the cache"), heron_cli_search },
  { "watch", N_("Print an account's sync events until interrupted"), heron_cli_watch },
  { "pending", N_("List what waits for the server: journaled operations, unsent messages"), heron_cli_pending },
  { "retry", N_("Send a refused operation or an unsent message again"), heron_cli_retry },
  { "discard", N_("Give up a refused operation or an unsent message"), heron_cli_discard },
};

void
heron_cli_async_done (GObject      *source_object,
                      GAsyncResult *res,
                      gpointer      user_data)
{
  GAsyncResult **result = user_data;

  *result = g_object_ref (res);
  g_main_context_wakeup (NULL);
}

void
heron_cli_wait (GAsyncResult **result)
{
  while (*result == NULL)
    g_main_context_iteration (NULL, TRUE);
}

typedef struct {
  gboolean changed;   /* an event that may have moved the outbox came */
  gboolean expired;
} CopyWait;

static void
on_copy_event (HeronAccountWorker *worker,
               HeronSyncEvent     *event,
               CopyWait           *wait)
{
  switch (event->kind)
    {
    case HERON_SYNC_EVENT_SENT:
    case HERON_SYNC_EVENT_SEND_FAILED:
    case HERON_SYNC_EVENT_JOURNAL_CHANGED:
      wait->changed = TRUE;
      g_main_context_wakeup (NULL);
      break;
    default:
      break;
    }
}

static gboolean
on_copy_deadline (gpointer user_data)
{
  CopyWait *wait = user_data;

  wait->expired = TRUE;
  g_main_context_wakeup (NULL);
  return G_SOURCE_REMOVE;
}

gboolean
heron_cli_outbox_holds (HeronAccountWorker *worker,
                        const char         *message_id)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) entries = heron_store_outbox_read (heron_account_worker_get_store_path (worker), &error);

  if (entries == NULL)
    {
      g_debug ("The outbox cannot be read: %s", error != NULL ? error->message : "");
      return FALSE;
    }
  for (guint i = 0; i < entries->len; i++)
    if (g_strcmp0 (((HeronStoreOutboxEntry *) g_ptr_array_index (entries, i))->message_id, message_id) == 0)
      return TRUE;
  return FALSE;
}

/* Iterates until *@result is set or the wait expired; then, with the request still queued,
 * stops the worker, which completes it. */
static void
wait_for_request (HeronAccountWorker  *worker,
                  GAsyncResult       **result,
                  CopyWait            *wait)
{
  while (*result == NULL && !wait->expired)
    g_main_context_iteration (NULL, TRUE);
  if (*result == NULL)
    {
      heron_account_worker_stop (worker);
      heron_cli_wait (result);
    }
}

gboolean
heron_cli_wait_for_sent_copy (HeronAccountWorker *worker,
                              const char         *message_id,
                              guint               timeout_ms)
{
  g_autoptr(GAsyncResult) barrier = NULL;
  g_autoptr(GAsyncResult) replayed = NULL;
  CopyWait wait = { FALSE, FALSE };
  gboolean barrier_seen = FALSE;
  gboolean held;
  gulong handler;
  guint deadline;

  g_return_val_if_fail (HERON_IS_ACCOUNT_WORKER (worker), FALSE);
  g_return_val_if_fail (message_id != NULL, FALSE);

  handler = g_signal_connect (worker, "event", G_CALLBACK (on_copy_event), &wait);
  deadline = g_timeout_add (timeout_ms, on_copy_deadline, &wait);

  /* Jobs never interleave: a request queued now completes after the outbox's job, when the
   * copy was filed (or none is kept). A copy waiting for the folder list is filed later, as a
   * journaled APPEND: a JOURNAL_CHANGED event, and another when the server confirmed it. */
  heron_account_worker_sync_folders_async (worker, NULL, heron_cli_async_done, &barrier);
  held = heron_cli_outbox_holds (worker, message_id);
  while (held && !wait.expired)
    {
      g_main_context_iteration (NULL, TRUE);
      if (wait.changed || (barrier != NULL && !barrier_seen))
        {
          wait.changed = FALSE;
          barrier_seen = barrier != NULL;
          held = heron_cli_outbox_holds (worker, message_id);
        }
    }
  wait_for_request (worker, &barrier, &wait);
  heron_account_worker_sync_folders_finish (worker, barrier, NULL);

  /* The copy's APPEND was queued when it was filed: a request queued now runs after it. */
  if (!held && !wait.expired && heron_account_worker_get_state (worker) == HERON_SYNC_STATE_ONLINE)
    {
      heron_account_worker_sync_folders_async (worker, NULL, heron_cli_async_done, &replayed);
      wait_for_request (worker, &replayed, &wait);
      heron_account_worker_sync_folders_finish (worker, replayed, NULL);
    }

  if (!wait.expired)
    g_source_remove (deadline);
  g_signal_handler_disconnect (worker, handler);
  return !held;
}

void
heron_cli_print_json (JsonNode *node)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autofree char *text = NULL;

  json_generator_set_pretty (generator, TRUE);
  json_generator_set_root (generator, node);
  text = json_generator_to_data (generator, NULL);
  g_print ("%s\n", text);
}

static int
print_failure (HeronCli     *cli,
               HeronCliExit  code,
               const char   *message)
{
  g_printerr ("heron-cli: %s\n", message);
  if (cli->json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "error");
      json_builder_add_string_value (builder, message);
      json_builder_set_member_name (builder, "exit-code");
      json_builder_add_int_value (builder, code);
      json_builder_end_object (builder);
      root = json_builder_get_root (builder);
      heron_cli_print_json (root);
    }
  return code;
}

int
heron_cli_fail (HeronCli     *cli,
                HeronCliExit  code,
                const char   *format,
                ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  return print_failure (cli, code, message);
}

int
heron_cli_fail_error (HeronCli     *cli,
                      HeronCliExit  code,
                      const GError *error)
{
  return print_failure (cli, code, error->message);
}

char *
heron_cli_read_stdin_secret (GError **error)
{
  g_autoptr(GString) secret = g_string_new (NULL);
  char buffer[512];
  gsize n;

  while ((n = fread (buffer, 1, sizeof buffer, stdin)) > 0)
    g_string_append_len (secret, buffer, n);
  memset (buffer, 0, sizeof buffer);
  if (ferror (stdin))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED, _("Could not read standard input"));
      return NULL;
    }
  if (secret->len > 0 && secret->str[secret->len - 1] == '\n')
    g_string_truncate (secret, secret->len - 1);
  if (secret->len > 0 && secret->str[secret->len - 1] == '\r')
    g_string_truncate (secret, secret->len - 1);
  if (secret->len == 0 || memchr (secret->str, '\0', secret->len) != NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                           _("The password on standard input is empty or holds a NUL byte"));
      return NULL;
    }
  return g_string_free (g_steal_pointer (&secret), FALSE);
}

static void
print_usage (FILE *out)
{
  fprintf (out, "%s\n\n%s\n", _("Usage: heron-cli COMMAND [ARGUMENTS...] [--json]"), _("Commands:"));
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    fprintf (out, "  %-10s %s\n", commands[i].name, _(commands[i].summary));
  fprintf (out, "\n%s\n", _("Run “heron-cli COMMAND --help” for the arguments of a command."));
  fprintf (out, "\n%s\n  %s\n  %s\n  %s\n  %s\n", _("Exit codes:"),
           _("0  success"),
           _("1  the operation failed (keyring, disk, network, server)"),
           _("2  bad arguments or values"),
           _("3  no such account, folder or message"));
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  HeronCli cli = { FALSE };

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
  g_set_prgname ("heron-cli");

  if (argc < 2 || g_str_equal (argv[1], "--help") || g_str_equal (argv[1], "-h")
      || g_str_equal (argv[1], "help"))
    {
      print_usage (argc < 2 ? stderr : stdout);
      return argc < 2 ? HERON_CLI_EXIT_USAGE : HERON_CLI_EXIT_OK;
    }
  if (g_str_equal (argv[1], "--version"))
    {
      g_print ("heron-cli %s\n", heron_backend_get_version ());
      return HERON_CLI_EXIT_OK;
    }

  for (int i = 2; i < argc; i++)
    if (g_str_equal (argv[i], "--json"))
      cli.json = TRUE;

  if (!heron_backend_check_libraries (&error))
    return heron_cli_fail_error (&cli, HERON_CLI_EXIT_FAILURE, error);

  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    if (g_str_equal (argv[1], commands[i].name))
      return commands[i].run (&cli, argc - 1, argv + 1);

  return heron_cli_fail (&cli, HERON_CLI_EXIT_USAGE,
                         _("“%s” is not a heron-cli command; see heron-cli --help"), argv[1]);
}

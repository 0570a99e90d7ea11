/* heron-cli-pending.c: heron-cli pending|retry|discard: what waits for the server (the journal of
 * offline operations, docs/sync.md "The journal") and the outbox messages that did not go
 * (docs/smtp.md, "Outbox"); retrying or giving up one of them through the account's sync worker.
 *
 * The journal is read through a connection of the cache's own (heron_store_journal_list()),
 * opened before the worker starts and used for reading only while it runs: the worker alone
 * writes.
 *
 * Copyright 2026 The Heron developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "heron-cli.h"
#include "heron-cli-mail-private.h"
#include "smtp/heron-smtp-error.h"
#include "sync/heron-account-worker.h"

/* How long retry (--timeout) and discard wait for the worker by default. */
#define DEFAULT_TIMEOUT_S 120
/* How often the waits look at the cache again (the worker's events wake them sooner). */
#define POLL_MS 200
/* After a discard: how long the syncs that bring the cache back in step may take. */
#define RESYNC_TIMEOUT_MS 10000

typedef struct {
  HeronCli           *cli;
  HeronStore         *store;        /* main thread; read only while the worker runs */
  HeronAccountWorker *worker;
  gint64              seq;          /* the journal entry followed, or 0 */
  const char         *message_id;   /* the outbox entry followed, or NULL */
  GError             *refused;      /* ERROR naming seq: the server refused it (again) */
  GError             *cache_error;  /* the worker could not open or write the cache */
  GError             *last_error;   /* the last other ERROR without a folder (the connection) */
  HeronSyncEvent     *outcome;      /* SENT or SEND_FAILED of message_id */
  gboolean            expired;
  guint               poll_id;
  guint               deadline_id;
} Pending;

static void
pending_stop_worker (Pending *pending)
{
  if (pending->worker == NULL)
    return;
  heron_account_worker_stop (pending->worker);
  /* the last events are on their way */
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_signal_handlers_disconnect_by_data (pending->worker, pending);
  g_clear_object (&pending->worker);
}

static void
pending_clear (Pending *pending)
{
  pending_stop_worker (pending);
  g_clear_handle_id (&pending->poll_id, g_source_remove);
  g_clear_handle_id (&pending->deadline_id, g_source_remove);
  g_clear_object (&pending->store);
  g_clear_error (&pending->refused);
  g_clear_error (&pending->cache_error);
  g_clear_error (&pending->last_error);
  g_clear_pointer (&pending->outcome, heron_sync_event_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Pending, pending_clear)

static void
on_event (HeronAccountWorker *worker,
          HeronSyncEvent     *event,
          Pending            *pending)
{
  switch (event->kind)
    {
    case HERON_SYNC_EVENT_ERROR:
      if (event->error == NULL)
        break;
      if (event->seq > 0 && event->seq == pending->seq)
        {
          g_clear_error (&pending->refused);
          pending->refused = g_error_copy (event->error);
        }
      else if (event->folder == NULL && event->error->domain == HERON_STORE_ERROR)
        {
          if (pending->cache_error == NULL)
            pending->cache_error = g_error_copy (event->error);
        }
      else if (event->folder == NULL && event->seq == 0)
        {
          g_clear_error (&pending->last_error);
          pending->last_error = g_error_copy (event->error);
        }
      break;
    case HERON_SYNC_EVENT_SENT:
    case HERON_SYNC_EVENT_SEND_FAILED:
      if (pending->message_id != NULL && pending->outcome == NULL &&
          g_strcmp0 (event->message_id, pending->message_id) == 0)
        pending->outcome = heron_sync_event_copy (event);
      break;
    default:
      break;
    }
  g_main_context_wakeup (NULL);
}

static gboolean
on_poll (gpointer user_data)
{
  g_main_context_wakeup (NULL);
  return G_SOURCE_CONTINUE;
}

static gboolean
on_deadline (gpointer user_data)
{
  Pending *pending = user_data;

  pending->expired = TRUE;
  pending->deadline_id = 0;
  g_main_context_wakeup (NULL);
  return G_SOURCE_REMOVE;
}

/* Starts the account's worker (without the INBOX watch) and the wait's clocks. */
static gboolean
pending_start (Pending            *pending,
               HeronAccountConfig *config,
               guint               timeout_ms,
               int                *out_exit)
{
  HeronAccountWorkerOptions options;
  g_autoptr(GError) error = NULL;

  heron_account_worker_options_init (&options);
  options.idle = FALSE;
  pending->worker = heron_account_worker_new (config, &options, &error);
  if (pending->worker == NULL)
    {
      *out_exit = heron_cli_fail_error (pending->cli, HERON_CLI_EXIT_FAILURE, error);
      return FALSE;
    }
  g_signal_connect (pending->worker, "event", G_CALLBACK (on_event), pending);
  heron_account_worker_start (pending->worker);
  pending->poll_id = g_timeout_add (POLL_MS, on_poll, NULL);
  pending->deadline_id = g_timeout_add (timeout_ms, on_deadline, pending);
  return TRUE;
}

/* Why the worker cannot reach the server now (nullable): it failed to log in, or it is offline. */
static const char *
pending_offline_reason (Pending *pending)
{
  HeronSyncState state = heron_account_worker_get_state (pending->worker);

  if (state != HERON_SYNC_STATE_AUTH_FAILED && state != HERON_SYNC_STATE_UNTRUSTED &&
      state != HERON_SYNC_STATE_OFFLINE)
    return NULL;
  if (pending->last_error != NULL)
    return pending->last_error->message;
  if (state == HERON_SYNC_STATE_AUTH_FAILED)
    return _("The server refused the login");
  if (state == HERON_SYNC_STATE_UNTRUSTED)
    return _("The server's certificate is not trusted");
  return _("The server could not be reached");
}

/* ---- What an entry is ---- */

/* The folders an operation names: the first, and the destination or new name (nullable). */
static void
operation_folders (const HeronStoreOperation  *op,
                   const char                **out_folder,
                   const char                **out_other,
                   guint                      *out_n_messages)
{
  *out_folder = NULL;
  *out_other = NULL;
  *out_n_messages = 0;
  g_variant_get_child (op->args, 0, "&s", out_folder);
  switch (op->kind)
    {
    case HERON_STORE_OP_ADD_FLAGS:
    case HERON_STORE_OP_REMOVE_FLAGS:
    case HERON_STORE_OP_EXPUNGE:
      {
        g_autoptr(GVariant) uids = g_variant_get_child_value (op->args, 1);

        *out_n_messages = g_variant_n_children (uids);
      }
      break;
    case HERON_STORE_OP_MOVE:
    case HERON_STORE_OP_COPY:
      {
        g_autoptr(GVariant) uids = g_variant_get_child_value (op->args, 1);

        *out_n_messages = g_variant_n_children (uids);
        g_variant_get_child (op->args, 2, "&s", out_other);
      }
      break;
    case HERON_STORE_OP_APPEND:
      *out_n_messages = 1;
      break;
    case HERON_STORE_OP_RENAME_FOLDER:
      g_variant_get_child (op->args, 1, "&s", out_other);
      break;
    case HERON_STORE_OP_CREATE_FOLDER:
    case HERON_STORE_OP_DELETE_FOLDER:
    default:
      break;
    }
}

static const char *
operation_state_to_string (HeronStoreOpState state)
{
  switch (state)
    {
    case HERON_STORE_OP_PENDING: return "pending";
    case HERON_STORE_OP_IN_PROGRESS: return "in-progress";
    case HERON_STORE_OP_FAILED: return "failed";
    default: return "unknown";
    }
}

/* An outbox entry that did not go: refused, may have been sent, or queued again after a
 * temporary failure. Entries on their way (never tried, being sent, sent) are not listed. */
static gboolean
outbox_entry_is_stuck (const HeronStoreOutboxEntry *entry)
{
  return entry->state == HERON_STORE_OUTBOX_FAILED || entry->state == HERON_STORE_OUTBOX_UNCERTAIN ||
         (entry->state == HERON_STORE_OUTBOX_QUEUED && entry->attempts > 0 && entry->error != NULL);
}

/* "3 min", "2 h", "5 d" */
static char *
format_age (gint64 created,
            gint64 now)
{
  gint64 age = MAX (now - created, 0);

  /* Translators: how long ago an entry was made: seconds, minutes, hours, days */
  if (age < 60)
    return g_strdup_printf (_("%lld s"), (long long) age);
  if (age < 3600)
    return g_strdup_printf (_("%lld min"), (long long) (age / 60));
  if (age < 86400)
    return g_strdup_printf (_("%lld h"), (long long) (age / 3600));
  return g_strdup_printf (_("%lld d"), (long long) (age / 86400));
}

static void
add_time_json (JsonBuilder *builder,
               gint64       created,
               gint64       now)
{
  g_autoptr(GDateTime) when = created > 0 ? g_date_time_new_from_unix_utc (created) : NULL;

  json_builder_set_member_name (builder, "created");
  if (when != NULL)
    {
      g_autofree char *text = g_date_time_format_iso8601 (when);

      json_builder_add_string_value (builder, text);
    }
  else
    json_builder_add_null_value (builder);
  json_builder_set_member_name (builder, "age-seconds");
  json_builder_add_int_value (builder, MAX (now - created, 0));
}

static void
add_string_or_null (JsonBuilder *builder,
                    const char  *member,
                    const char  *value)
{
  json_builder_set_member_name (builder, member);
  if (value != NULL)
    json_builder_add_string_value (builder, value);
  else
    json_builder_add_null_value (builder);
}

/* Opens the account's cache with its own connection; *@out_store is NULL when there is no cache
 * yet (nothing can be pending then). */
static int
open_store (HeronCli            *cli,
            HeronAccountConfig  *config,
            HeronStore         **out_store)
{
  g_autofree char *path = heron_store_dup_default_path (heron_account_config_get_id (config));
  g_autoptr(GError) error = NULL;

  *out_store = NULL;
  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    return HERON_CLI_EXIT_OK;
  *out_store = heron_store_open (path, &error);
  if (*out_store == NULL)
    return heron_cli_fail_error (cli, HERON_CLI_EXIT_FAILURE, error);
  return HERON_CLI_EXIT_OK;
}

/* ---- heron-cli pending ---- */

static void
print_pending_json (GPtrArray *operations,
                    GPtrArray *outbox,
                    gint64     now)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "operations");
  json_builder_begin_array (builder);
  for (guint i = 0; i < operations->len; i++)
    {
      HeronStoreOperation *op = g_ptr_array_index (operations, i);
      const char *folder, *other;
      guint n_messages;

      operation_folders (op, &folder, &other, &n_messages);
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "seq");
      json_builder_add_int_value (builder, op->seq);
      json_builder_set_member_name (builder, "kind");
      json_builder_add_string_value (builder, heron_store_op_kind_to_string (op->kind));
      add_string_or_null (builder, "folder", folder);
      add_string_or_null (builder, op->kind == HERON_STORE_OP_RENAME_FOLDER ? "new-name" : "destination",
                          other);
      json_builder_set_member_name (builder, "messages");
      json_builder_add_int_value (builder, n_messages);
      json_builder_set_member_name (builder, "state");
      json_builder_add_string_value (builder, operation_state_to_string (op->state));
      json_builder_set_member_name (builder, "attempts");
      json_builder_add_int_value (builder, op->attempts);
      add_string_or_null (builder, "error", op->error);
      add_time_json (builder, op->created, now);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);

  json_builder_set_member_name (builder, "outbox");
  json_builder_begin_array (builder);
  for (guint i = 0; i < outbox->len; i++)
    {
      HeronStoreOutboxEntry *entry = g_ptr_array_index (outbox, i);

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "message-id");
      json_builder_add_string_value (builder, entry->message_id);
      json_builder_set_member_name (builder, "state");
      json_builder_add_string_value (builder, heron_store_outbox_state_to_string (entry->state));
      json_builder_set_member_name (builder, "subject");
      json_builder_add_string_value (builder, entry->subject != NULL ? entry->subject : "");
      json_builder_set_member_name (builder, "recipients");
      json_builder_begin_array (builder);
      for (guint r = 0; entry->recipients != NULL && entry->recipients[r] != NULL; r++)
        json_builder_add_string_value (builder, entry->recipients[r]);
      json_builder_end_array (builder);
      json_builder_set_member_name (builder, "attempts");
      json_builder_add_int_value (builder, entry->attempts);
      add_string_or_null (builder, "error", entry->error);
      add_time_json (builder, entry->created, now);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  heron_cli_print_json (root);
}

static void
print_pending_text (GPtrArray *operations,
                    GPtrArray *outbox,
                    gint64     now)
{
  if (operations->len == 0 && outbox->len == 0)
    {
      g_print ("%s\n", _("Nothing is waiting for the server."));
      return;
    }
  for (guint i = 0; i < operations->len; i++)
    {
      HeronStoreOperation *op = g_ptr_array_index (operations, i);
      g_autofree char *age = format_age (op->created, now);
      g_autofree char *where = NULL;
      const char *folder, *other;
      guint n_messages;

      operation_folders (op, &folder, &other, &n_messages);
      if (other != NULL)
        where = g_strdup_printf ("%s → %s", folder, other);
      else
        where = g_strdup (folder != NULL ? folder : "");
      g_print ("%" G_GINT64_FORMAT "\t%s\t%s\t%s\t", op->seq, operation_state_to_string (op->state),
               heron_store_op_kind_to_string (op->kind), where);
      g_print (g_dngettext (GETTEXT_PACKAGE, "%u message", "%u messages", n_messages), n_messages);
      g_print ("\t");
      g_print (g_dngettext (GETTEXT_PACKAGE, "%u attempt", "%u attempts", op->attempts), op->attempts);
      g_print ("\t%s\n", age);
      if (op->error != NULL)
        g_print ("\t%s %s\n", _("Last error:"), op->error);
    }
  for (guint i = 0; i < outbox->len; i++)
    {
      HeronStoreOutboxEntry *entry = g_ptr_array_index (outbox, i);
      g_autofree char *age = format_age (entry->created, now);
      g_autofree char *recipients = g_strjoinv (", ", entry->recipients);

      g_print ("<%s>\t%s\t%s\t%s\t", entry->message_id, heron_store_outbox_state_to_string (entry->state),
               _("send"), entry->subject != NULL ? entry->subject : "");
      g_print (g_dngettext (GETTEXT_PACKAGE, "%u attempt", "%u attempts", entry->attempts), entry->attempts);
      g_print ("\t%s\n", age);
      g_print ("\t%s %s\n", _("To:"), recipients);
      if (entry->error != NULL)
        g_print ("\t%s %s\n", _("Last error:"), entry->error);
    }
}

int
heron_cli_pending (HeronCli *cli,
                   int       argc,
                   char    **argv)
{
  g_autoptr(HeronAccountConfig) config = NULL;
  g_autoptr(HeronStore) store = NULL;
  g_autoptr(GPtrArray) operations = NULL;
  g_autoptr(GPtrArray) all = NULL;
  g_autoptr(GPtrArray) outbox = g_ptr_array_new_with_free_func ((GDestroyNotify) heron_store_outbox_entry_free);
  g_autoptr(GError) error = NULL;
  int status;

  if (!heron_cli_mail_parse (cli, _("[ACCOUNT] — what waits for the server"),
                             _("Lists the account's operations waiting for the server (moves, flags, "
                               "folder changes made offline or refused by it: pending, in progress "
                               "or failed) and the outbox messages that did not go (failed, may have "
                               "been sent, or waiting after a temporary failure), from the cache, "
                               "without the network. Retry or give them up with heron-cli retry and "
                               "heron-cli discard."),
                             NULL, &argc, &argv, &status))
    return status;
  if (argc > 2)
    return heron_cli_fail (cli, HERON_CLI_EXIT_USAGE, _("Unexpected argument “%s”"), argv[2]);
  if ((status = heron_cli_mail_find_account (cli, argc == 2 ? argv[1] : NULL, &config)) != 0 ||
      (status = open_store (cli, config, &store)) != 0)
    return status;

  if (store != NULL)
    {
      operations = heron_store_journal_list (store, &error);
      if (operations == NULL)
        return heron_cli_fail_error (cli, HERON_CLI_EXIT_FAILURE, error);
      all = heron_store_outbox_list (store, &error);
      if (all == NULL)
        return heron_cli_fail_error (cli, HERON_CLI_EXIT_FAILURE, error);
      for (guint i = 0; i < all->len; i++)
        if (outbox_entry_is_stuck (g_ptr_array_index (all, i)))
          g_ptr_array_add (outbox, heron_store_outbox_entry_copy (g_ptr_array_index (all, i)));
    }
  else
    operations = g_ptr_array_new ();

  if (cli->json)
    print_pending_json (operations, outbox, g_get_real_time () / G_USEC_PER_SEC);
  else
    print_pending_text (operations, outbox, g_get_real_time () / G_USEC_PER_SEC);
  return HERON_CLI_EXIT_OK;
}

/* ---- heron-cli retry / discard ---- */

typedef struct {
  gboolean             retry;
  HeronAccountConfig  *config;
  HeronStoreOperation *operation;   /* the journal entry, or NULL */
  HeronStoreOutboxEntry *entry;     /* the outbox entry, or NULL */
  guint                timeout_s;
} Request;

static void
request_clear (Request *request)
{
  g_clear_object (&request->config);
  g_clear_pointer (&request->operation, heron_store_operation_free);
  g_clear_pointer (&request->entry, heron_store_outbox_entry_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Request, request_clear)

/* A journal entry's seq ("12"), or 0 when @text is not a number. */
static gint64
parse_seq (const char *text)
{
  guint64 seq = 0;

  if (!g_ascii_string_to_unsigned (text, 10, 1, G_MAXINT64, &seq, NULL))
    return 0;
  return (gint64) seq;
}

/* Finds the entry named by @target in the account's cache. */
static int
find_entry (HeronCli   *cli,
            HeronStore *store,
            const char *target,
            Request    *request)
{
  g_autoptr(GError) error = NULL;
  gint64 seq = parse_seq (target);

  if (seq > 0)
    {
      request->operation = store != NULL ? heron_store_journal_get (store, seq, &error) : NULL;
      if (request->operation == NULL && (store == NULL ||
                                         g_error_matches (error, HERON_STORE_ERROR, HERON_STORE_ERROR_NOT_FOUND)))
        return heron_cli_fail (cli, HERON_CLI_EXIT_NOT_FOUND,
                               _("There is no operation %lld in the journal (see heron-cli pending)"),
                               (long long) seq);
      if (request->operation == NULL)
        return heron_cli_fail_error (cli, HERON_CLI_EXIT_FAILURE, error);
      return HERON_CLI_EXIT_OK;
    }
  else
    {
      g_autofree char *message_id = NULL;
      g_autoptr(GPtrArray) outbox = NULL;
      gsize len = strlen (target);

      if (len >= 2 && target[0] == '<' && target[len - 1] == '>')
        message_id = g_strndup (target + 1, len - 2);
      else
        message_id = g_strdup (target);
      if (*message_id == '\0' || strchr (message_id, '@') == NULL || strpbrk (message_id, "<> \t\r\n") != NULL)
        return heron_cli_fail (cli, HERON_CLI_EXIT_USAGE,
                               _("“%s” is neither an operation's number nor a Message-ID (see heron-cli pending)"),
                               target);
      if (store != NULL)
        {
          outbox = heron_store_outbox_list (store, &error);
          if (outbox == NULL)
            return heron_cli_fail_error (cli, HERON_CLI_EXIT_FAILURE, error);
        }
      for (guint i = 0; outbox != NULL && i < outbox->len && request->entry == NULL; i++)
        {
          HeronStoreOutboxEntry *entry = g_ptr_array_index (outbox, i);

          if (g_strcmp0 (entry->message_id, message_id) == 0)
            request->entry = heron_store_outbox_entry_copy (entry);
        }
      if (request->entry == NULL)
        return heron_cli_fail (cli, HERON_CLI_EXIT_NOT_FOUND,
                               _("There is no message <%s> in the outbox (see heron-cli pending)"), message_id);
      return HERON_CLI_EXIT_OK;
    }
}

/* Waits until the journal entry left the journal (TRUE), the server refused it, the worker lost
 * the server, the cache failed, or the time is up (FALSE, *@out_exit set). */
static gboolean
wait_for_journal (Pending *pending,
                  gboolean retry,
                  int     *out_exit)
{
  for (;;)
    {
      g_autoptr(HeronStoreOperation) entry = NULL;
      g_autoptr(GError) error = NULL;
      const char *reason;

      entry = heron_store_journal_get (pending->store, pending->seq, &error);
      if (entry == NULL && g_error_matches (error, HERON_STORE_ERROR, HERON_STORE_ERROR_NOT_FOUND))
        return TRUE;
      if (entry == NULL)
        {
          *out_exit = heron_cli_fail_error (pending->cli, HERON_CLI_EXIT_FAILURE, error);
          return FALSE;
        }
      if (pending->cache_error != NULL)
        {
          *out_exit = heron_cli_fail_error (pending->cli, HERON_CLI_EXIT_FAILURE, pending->cache_error);
          return FALSE;
        }
      if (retry && pending->refused != NULL)
        {
          *out_exit = heron_cli_fail (pending->cli, HERON_CLI_EXIT_FAILURE,
                                      _("The server refused operation %lld again: %s"),
                                      (long long) pending->seq, pending->refused->message);
          return FALSE;
        }
      reason = retry ? pending_offline_reason (pending) : NULL;
      if (reason != NULL)
        {
          *out_exit = heron_cli_fail (pending->cli, HERON_CLI_EXIT_FAILURE,
                                      _("%s; operation %lld stays in the journal and is "
                                        "sent the next time the account is online"),
                                      reason, (long long) pending->seq);
          return FALSE;
        }
      if (pending->expired)
        {
          if (retry)
            *out_exit = heron_cli_fail (pending->cli, HERON_CLI_EXIT_FAILURE,
                                        _("Operation %lld did not reach the server in time; "
                                          "it stays in the journal"),
                                        (long long) pending->seq);
          else
            *out_exit = heron_cli_fail (pending->cli, HERON_CLI_EXIT_FAILURE,
                                        _("Operation %lld could not be discarded in time; "
                                          "it stays in the journal"),
                                        (long long) pending->seq);
          return FALSE;
        }
      g_main_context_iteration (NULL, TRUE);
    }
}

/* Syncs again what a discarded entry touched, so that the cache shows the server's state when
 * this returns (when the account is online; else its next sync does). TRUE when it did. */
static gboolean
resync (Pending                   *pending,
        const HeronStoreOperation *op)
{
  const char *folder, *other;
  const char *folders[3] = { NULL, NULL, NULL };
  guint n_messages, n = 0;
  gboolean ok = TRUE;

  operation_folders (op, &folder, &other, &n_messages);
  if (op->kind != HERON_STORE_OP_CREATE_FOLDER && op->kind != HERON_STORE_OP_RENAME_FOLDER &&
      op->kind != HERON_STORE_OP_DELETE_FOLDER)
    {
      folders[n++] = folder;
      if (other != NULL)
        folders[n++] = other;
    }

  g_clear_handle_id (&pending->deadline_id, g_source_remove);
  pending->expired = FALSE;
  pending->deadline_id = g_timeout_add (RESYNC_TIMEOUT_MS, on_deadline, pending);
  /* The folder list first: a folder deleted on the server leaves the cache with it. */
  for (guint i = 0; i <= n && !pending->expired; i++)
    {
      g_autoptr(GAsyncResult) result = NULL;
      g_autoptr(GError) error = NULL;
      g_autoptr(HeronStoreFolder) cached = NULL;

      if (i > 0)
        {
          cached = heron_store_lookup_folder (pending->store, folders[i - 1], NULL);
          if (cached == NULL)
            continue;   /* gone with the folder list */
          heron_account_worker_sync_folder_async (pending->worker, folders[i - 1], NULL,
                                                  heron_cli_async_done, &result);
        }
      else
        heron_account_worker_sync_folders_async (pending->worker, NULL, heron_cli_async_done, &result);
      while (result == NULL && !pending->expired)
        g_main_context_iteration (NULL, TRUE);
      if (result == NULL)
        {
          /* stopping completes the request */
          heron_account_worker_stop (pending->worker);
          heron_cli_wait (&result);
          return FALSE;
        }
      if (i > 0)
        ok = heron_account_worker_sync_folder_finish (pending->worker, result, &error) && ok;
      else
        ok = heron_account_worker_sync_folders_finish (pending->worker, result, &error) && ok;
      if (i == 0 && !ok)
        break;   /* offline: the next sync does it */
    }
  return ok && !pending->expired;
}

static int
run_journal (HeronCli *cli,
             Request  *request)
{
  g_auto(Pending) pending = { cli, NULL };
  HeronStoreOperation *op = request->operation;
  g_autofree char *path = heron_store_dup_default_path (heron_account_config_get_id (request->config));
  g_autoptr(GError) error = NULL;
  gboolean resynced = FALSE;
  int status;

  pending.seq = op->seq;
  pending.store = heron_store_open (path, &error);
  if (pending.store == NULL)
    return heron_cli_fail_error (cli, HERON_CLI_EXIT_FAILURE, error);
  if (!pending_start (&pending, request->config, request->timeout_s * 1000, &status))
    return status;

  if (request->retry)
    {
      /* A pending entry is replayed by the worker once it is online; a failed one waits for this */
      if (op->state == HERON_STORE_OP_FAILED)
        heron_account_worker_retry_operation (pending.worker, op->seq);
      if (!wait_for_journal (&pending, TRUE, &status))
        return status;
      pending_stop_worker (&pending);
      if (cli->json)
        {
          g_autoptr(JsonBuilder) builder = json_builder_new ();
          g_autoptr(JsonNode) root = NULL;

          json_builder_begin_object (builder);
          json_builder_set_member_name (builder, "seq");
          json_builder_add_int_value (builder, op->seq);
          json_builder_set_member_name (builder, "kind");
          json_builder_add_string_value (builder, heron_store_op_kind_to_string (op->kind));
          json_builder_set_member_name (builder, "on-server");
          json_builder_add_boolean_value (builder, TRUE);
          json_builder_end_object (builder);
          root = json_builder_get_root (builder);
          heron_cli_print_json (root);
        }
      else
        g_print (_("Operation %lld (%s) reached the server.\n"), (long long) op->seq,
                 heron_store_op_kind_to_string (op->kind));
      return HERON_CLI_EXIT_OK;
    }

  heron_account_worker_discard_operation (pending.worker, op->seq);
  if (!wait_for_journal (&pending, FALSE, &status))
    return status;
  if (heron_account_worker_get_state (pending.worker) == HERON_SYNC_STATE_CONNECTING)
    {
      /* let the connection attempt end: online, the cache is brought back in step now */
      while (heron_account_worker_get_state (pending.worker) == HERON_SYNC_STATE_CONNECTING &&
             !pending.expired)
        g_main_context_iteration (NULL, TRUE);
    }
  if (heron_account_worker_get_state (pending.worker) == HERON_SYNC_STATE_ONLINE)
    resynced = resync (&pending, op);
  pending_stop_worker (&pending);

  if (cli->json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "seq");
      json_builder_add_int_value (builder, op->seq);
      json_builder_set_member_name (builder, "kind");
      json_builder_add_string_value (builder, heron_store_op_kind_to_string (op->kind));
      json_builder_set_member_name (builder, "discarded");
      json_builder_add_boolean_value (builder, TRUE);
      json_builder_set_member_name (builder, "resynced");
      json_builder_add_boolean_value (builder, resynced);
      json_builder_end_object (builder);
      root = json_builder_get_root (builder);
      heron_cli_print_json (root);
    }
  else if (resynced)
    g_print (_("Discarded operation %lld (%s); the cache shows the server's state again.\n"),
             (long long) op->seq, heron_store_op_kind_to_string (op->kind));
  else
    g_print (_("Discarded operation %lld (%s); the cache shows the server's state again "
               "after the next sync.\n"),
             (long long) op->seq, heron_store_op_kind_to_string (op->kind));
  return HERON_CLI_EXIT_OK;
}

static void
print_outbox_result (HeronCli   *cli,
                     const char *message_id,
                     const char *state)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "message-id");
  json_builder_add_string_value (builder, message_id);
  json_builder_set_member_name (builder, "state");
  json_builder_add_string_value (builder, state);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  heron_cli_print_json (root);
}

static int
run_outbox (HeronCli *cli,
            Request  *request)
{
  g_auto(Pending) pending = { cli, NULL };
  HeronStoreOutboxEntry *entry = request->entry;
  int status;

  if (entry->state == HERON_STORE_OUTBOX_SENT)
    return heron_cli_fail (cli, HERON_CLI_EXIT_USAGE,
                           _("<%s> was sent already; only its copy for the Sent folder waits, and it is "
                             "filed the next time the account is online"), entry->message_id);

  /* the outbox is read through heron_cli_outbox_holds(), as another thread's reader */
  pending.message_id = entry->message_id;
  if (!pending_start (&pending, request->config, request->timeout_s * 1000, &status))
    return status;

  if (request->retry)
    {
      heron_account_worker_retry_send (pending.worker, entry->message_id);
      while (pending.outcome == NULL && pending.cache_error == NULL && !pending.expired)
        g_main_context_iteration (NULL, TRUE);
      if (pending.cache_error != NULL)
        return heron_cli_fail_error (cli, HERON_CLI_EXIT_FAILURE, pending.cache_error);
      if (pending.outcome == NULL)
        return heron_cli_fail (cli, HERON_CLI_EXIT_FAILURE,
                               _("<%s> was not sent in time; it stays in the outbox"), entry->message_id);
      if (pending.outcome->kind == HERON_SYNC_EVENT_SEND_FAILED)
        {
          const GError *failure = pending.outcome->error;

          if (failure != NULL && heron_smtp_error_is_transient (failure))
            return heron_cli_fail (cli, HERON_CLI_EXIT_FAILURE,
                                   _("Not sent yet: %s; it stays in the outbox and is sent the next time "
                                     "Heron runs for this account"), failure->message);
          return heron_cli_fail (cli, HERON_CLI_EXIT_FAILURE, _("Not sent: %s; it stays in the outbox"),
                                 failure != NULL ? failure->message : _("the server refused it"));
        }
      heron_cli_wait_for_sent_copy (pending.worker, entry->message_id, HERON_CLI_FILE_COPY_TIMEOUT_MS);
      pending_stop_worker (&pending);
      if (cli->json)
        print_outbox_result (cli, entry->message_id, "sent");
      else
        {
          g_print ("%s <%s>\n", _("Sent:"), entry->message_id);
          if (pending.outcome->error != NULL)
            g_print ("%s\n", pending.outcome->error->message);
        }
      return HERON_CLI_EXIT_OK;
    }

  heron_account_worker_discard_send (pending.worker, entry->message_id);
  while (heron_cli_outbox_holds (pending.worker, entry->message_id) && pending.outcome == NULL &&
         pending.cache_error == NULL && !pending.expired)
    g_main_context_iteration (NULL, TRUE);
  if (pending.cache_error != NULL)
    return heron_cli_fail_error (cli, HERON_CLI_EXIT_FAILURE, pending.cache_error);
  if (pending.outcome != NULL && pending.outcome->kind == HERON_SYNC_EVENT_SENT)
    return heron_cli_fail (cli, HERON_CLI_EXIT_FAILURE,
                           _("<%s> was sent before it could be discarded"), entry->message_id);
  if (heron_cli_outbox_holds (pending.worker, entry->message_id))
    return heron_cli_fail (cli, HERON_CLI_EXIT_FAILURE,
                           _("<%s> could not be discarded in time; it stays in the outbox"), entry->message_id);
  pending_stop_worker (&pending);
  if (cli->json)
    print_outbox_result (cli, entry->message_id, "discarded");
  else
    g_print (_("Discarded <%s>: it left the outbox unsent.\n"), entry->message_id);
  return HERON_CLI_EXIT_OK;
}

static int
run_request (HeronCli *cli,
             gboolean  retry,
             int       argc,
             char    **argv)
{
  g_auto(Request) request = { retry, NULL, NULL, NULL, DEFAULT_TIMEOUT_S };
  g_autoptr(HeronStore) store = NULL;
  int timeout_s = DEFAULT_TIMEOUT_S;
  const GOptionEntry retry_entries[] = {
    { "timeout", 0, 0, G_OPTION_ARG_INT, &timeout_s,
      N_("How long to wait for the server, in seconds (default: 120)"), N_("SECONDS") },
    { NULL }
  };
  const char *account;
  const char *target;
  int status;

  if (retry)
    {
      if (!heron_cli_mail_parse (cli, _("ACCOUNT SEQ|MESSAGE-ID — try again what the server refused"),
                                 _("Sends a journaled operation (by its number, see heron-cli pending) to "
                                   "the server again, or an outbox message (by its Message-ID) to the "
                                   "SMTP server, and waits until the server took it (exit 0) or "
                                   "refused it again (exit 1: it stays, see heron-cli pending)."),
                                 retry_entries, &argc, &argv, &status))
        return status;
      if (timeout_s <= 0 || timeout_s > 24 * 3600)
        return heron_cli_fail (cli, HERON_CLI_EXIT_USAGE,
                               _("--timeout takes a number of seconds between 1 and 86400"));
    }
  else if (!heron_cli_mail_parse (cli, _("ACCOUNT SEQ|MESSAGE-ID — give up an operation or a message"),
                                  _("Removes a journaled operation (by its number, see heron-cli pending) "
                                    "and brings the cache back in step with the server, or removes an "
                                    "unsent message (by its Message-ID) from the outbox."),
                                  NULL, &argc, &argv, &status))
    return status;
  if (argc < 3)
    return heron_cli_fail (cli, HERON_CLI_EXIT_USAGE,
                           _("Name the account and an operation's number or a Message-ID (see heron-cli pending)"));
  if (argc > 3)
    return heron_cli_fail (cli, HERON_CLI_EXIT_USAGE, _("Unexpected argument “%s”"), argv[3]);
  account = argv[1];
  target = argv[2];
  request.timeout_s = (guint) timeout_s;

  if ((status = heron_cli_mail_find_account (cli, account, &request.config)) != 0 ||
      (status = open_store (cli, request.config, &store)) != 0 ||
      (status = find_entry (cli, store, target, &request)) != 0)
    return status;
  /* The worker opens its own connection; this one is done. */
  g_clear_object (&store);

  if (request.operation != NULL)
    return run_journal (cli, &request);
  return run_outbox (cli, &request);
}

int
heron_cli_retry (HeronCli *cli,
                 int       argc,
                 char    **argv)
{
  return run_request (cli, TRUE, argc, argv);
}

int
heron_cli_discard (HeronCli *cli,
                   int       argc,
                   char    **argv)
{
  return run_request (cli, FALSE, argc, argv);
}

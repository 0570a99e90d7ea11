/* heron-cli-mail-ops.c: heron-cli move|copy|delete|mkdir|rename|rmdir: operations on messages
 * and folders through the account's sync worker (backend/sync, docs/sync.md, "The journal").
 *
 * Each is applied to the cache and journaled at once, then replayed to the server when it can
 * be reached; the command waits up to 10 seconds for the server to confirm it.
 *
 * Copyright 2026 The Heron developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "heron-cli.h"
#include "heron-cli-mail-private.h"
#include "sync/heron-account-worker.h"

/* How long a command waits for the server to confirm its change when the account is online. */
#define OPS_REPLAY_TIMEOUT_MS 10000

typedef enum {
  OPS_MOVE,
  OPS_COPY,
  OPS_DELETE,
  OPS_EXPUNGE,
  OPS_MKDIR,
  OPS_RENAME,
  OPS_RMDIR,
} OpsKind;

typedef struct {
  HeronCli           *cli;
  HeronAccountWorker *worker;
  GError             *refused;      /* the server refused a journal entry (an ERROR with a seq) */
  GError             *cache_error;  /* the worker could not open the cache */
} Ops;

static void
ops_clear (Ops *ops)
{
  if (ops->worker != NULL)
    {
      heron_account_worker_stop (ops->worker);
      g_signal_handlers_disconnect_by_data (ops->worker, ops);
      g_clear_object (&ops->worker);
    }
  g_clear_error (&ops->refused);
  g_clear_error (&ops->cache_error);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Ops, ops_clear)

static void
on_ops_error (HeronAccountWorker *worker,
              HeronSyncEvent     *event,
              Ops                *ops)
{
  if (event->seq > 0 && ops->refused == NULL)
    ops->refused = g_error_copy (event->error);
  if (event->folder == NULL && event->error->domain == HERON_STORE_ERROR && ops->cache_error == NULL)
    ops->cache_error = g_error_copy (event->error);
  g_main_context_wakeup (NULL);
}

static gboolean
ops_start (Ops                *ops,
           HeronAccountConfig *config,
           int                *out_exit)
{
  HeronAccountWorkerOptions options;
  g_autoptr(GError) error = NULL;

  heron_account_worker_options_init (&options);
  options.idle = FALSE;
  ops->worker = heron_account_worker_new (config, &options, &error);
  if (ops->worker == NULL)
    {
      *out_exit = heron_cli_fail_error (ops->cli, HERON_CLI_EXIT_FAILURE, error);
      return FALSE;
    }
  g_signal_connect (ops->worker, "event::error", G_CALLBACK (on_ops_error), ops);
  heron_account_worker_start (ops->worker);
  return TRUE;
}

/* Waits for the request; FALSE when the worker could not open the cache (it runs nothing then). */
static gboolean
ops_wait (Ops           *ops,
          GAsyncResult **result)
{
  while (*result == NULL && ops->cache_error == NULL)
    g_main_context_iteration (NULL, TRUE);
  if (*result != NULL)
    return TRUE;
  heron_account_worker_stop (ops->worker);
  heron_cli_wait (result);
  return FALSE;
}

static gboolean
on_deadline (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
  g_main_context_wakeup (NULL);
  return G_SOURCE_REMOVE;
}

/* The replay was queued before these syncs: when they are done, so is the replay. Offline they
 * fail at once. TRUE when the server confirmed everything. */
static gboolean
ops_wait_for_server (Ops                *ops,
                     HeronStoreReader   *reader,
                     const char * const *folders)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  gboolean expired = FALSE;
  gboolean ok = TRUE;
  guint pending = 1;
  guint id;

  id = g_timeout_add (OPS_REPLAY_TIMEOUT_MS, on_deadline, &expired);
  for (guint i = 0; ok && !expired && (folders == NULL || folders[i] != NULL); i++)
    {
      if (folders == NULL)
        heron_account_worker_sync_folders_async (ops->worker, NULL, heron_cli_async_done, &result);
      else
        heron_account_worker_sync_folder_async (ops->worker, folders[i], NULL, heron_cli_async_done, &result);
      while (result == NULL && !expired)
        g_main_context_iteration (NULL, TRUE);
      if (result == NULL)
        {
          heron_account_worker_stop (ops->worker);
          heron_cli_wait (&result);
          ok = FALSE;
        }
      else if (folders == NULL)
        ok = heron_account_worker_sync_folders_finish (ops->worker, result, &error);
      else
        ok = heron_account_worker_sync_folder_finish (ops->worker, result, &error);
      g_clear_object (&result);
      g_clear_error (&error);
      if (folders == NULL)
        break;
    }
  if (!expired)
    g_source_remove (id);
  heron_account_worker_stop (ops->worker);
  /* the last events (a refusal) are on their way */
  while (g_main_context_iteration (NULL, FALSE))
    ;

  return ok && ops->refused == NULL &&
         heron_store_reader_count_pending_operations (reader, &pending, NULL) && pending == 0;
}

static int
fail_request (HeronCli     *cli,
              const GError *error)
{
  if (g_error_matches (error, HERON_SYNC_ERROR, HERON_SYNC_ERROR_NOT_FOUND) ||
      g_error_matches (error, HERON_STORE_ERROR, HERON_STORE_ERROR_NOT_FOUND))
    return heron_cli_fail_error (cli, HERON_CLI_EXIT_NOT_FOUND, error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT) ||
      g_error_matches (error, HERON_STORE_ERROR, HERON_STORE_ERROR_INVALID))
    return heron_cli_fail_error (cli, HERON_CLI_EXIT_USAGE, error);
  return heron_cli_fail_error (cli, HERON_CLI_EXIT_FAILURE, error);
}

/* The words for what happened on the server. */
static int
report_server (HeronCli   *cli,
               Ops        *ops,
               gboolean    on_server,
               const char *done)
{
  if (ops->refused != NULL)
    return heron_cli_fail (cli, HERON_CLI_EXIT_FAILURE,
                           _("%s in the cache, but the server refused it: %s"), done, ops->refused->message);
  if (cli->json)
    return HERON_CLI_EXIT_OK;
  if (on_server)
    g_print (_("%s in the cache and on the server.\n"), done);
  else
    g_print (_("%s in the cache; the server could not be reached, so the change is journaled and "
               "will be sent when the account is next online.\n"), done);
  return HERON_CLI_EXIT_OK;
}

/* "3,7,12": UIDs of the cache (negative ones are local messages). */
static GArray *
parse_uids (const char *text)
{
  g_auto(GStrv) parts = g_strsplit (text, ",", -1);
  g_autoptr(GArray) uids = g_array_new (FALSE, FALSE, sizeof (gint64));

  for (guint i = 0; parts[i] != NULL; i++)
    {
      char *end = NULL;
      gint64 uid = g_ascii_strtoll (parts[i], &end, 10);

      if (end == parts[i] || *end != '\0' || uid == 0 || uid > G_MAXUINT32 || uid < -G_MAXUINT32)
        return NULL;
      g_array_append_val (uids, uid);
    }
  return uids->len > 0 ? g_steal_pointer (&uids) : NULL;
}

static void
add_uids_json (JsonBuilder  *builder,
               const char   *member,
               const GArray *uids)
{
  json_builder_set_member_name (builder, member);
  json_builder_begin_array (builder);
  for (guint i = 0; uids != NULL && i < uids->len; i++)
    json_builder_add_int_value (builder, g_array_index (uids, gint64, i));
  json_builder_end_array (builder);
}

/* The UIDs the messages have in @folder_id now: the server's once the replay numbered them (found
 * by Message-ID), else the local ones the operation gave them. */
static GArray *
current_uids (HeronStoreReader *reader,
              gint64            folder_id,
              GPtrArray        *message_ids,
              GArray           *locals)
{
  GArray *uids = g_array_new (FALSE, FALSE, sizeof (gint64));

  for (guint i = 0; locals != NULL && i < locals->len; i++)
    {
      gint64 uid = g_array_index (locals, gint64, i);
      const char *message_id = i < message_ids->len ? g_ptr_array_index (message_ids, i) : NULL;
      g_autoptr(GArray) refs = NULL;

      if (message_id != NULL && *message_id != '\0')
        refs = heron_store_reader_lookup_message_id (reader, message_id, NULL);
      for (guint j = 0; refs != NULL && j < refs->len; j++)
        {
          HeronStoreMessageRef *ref = &g_array_index (refs, HeronStoreMessageRef, j);

          if (ref->folder_id == folder_id && ref->uid > 0)
            uid = ref->uid;
        }
      g_array_append_val (uids, uid);
    }
  return uids;
}

static int
run_messages (HeronCli *cli,
              OpsKind   kind,
              int       argc,
              char    **argv)
{
  g_auto(Ops) ops = { cli, NULL, NULL, NULL };
  g_autoptr(HeronAccountConfig) config = NULL;
  g_autoptr(HeronStoreReader) reader = NULL;
  g_autoptr(HeronStoreFolder) folder = NULL;
  g_autoptr(HeronStoreFolder) dest = NULL;
  g_autoptr(GArray) uids = NULL;
  g_autoptr(GArray) locals = NULL;
  g_autoptr(GArray) now = NULL;
  g_autoptr(GPtrArray) message_ids = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *done = NULL;
  gboolean expunge = FALSE;
  gboolean with_dest = kind == OPS_MOVE || kind == OPS_COPY;
  gboolean on_server;
  guint n_positional = with_dest ? 3 : 2;
  const char *account;
  const char *folders[3] = { NULL, NULL, NULL };
  int status;
  const GOptionEntry delete_entries[] = {
    { "expunge", 0, 0, G_OPTION_ARG_NONE, &expunge,
      N_("Remove the messages for good instead of moving them to the Trash"), NULL },
    { NULL }
  };

  switch (kind)
    {
    case OPS_MOVE:
      if (!heron_cli_mail_parse (cli, _("FOLDER UID[,UID…] DESTINATION [ACCOUNT] — move messages"),
                                 _("Moves messages (by their UIDs, see heron-cli list) to another folder."),
                                 NULL, &argc, &argv, &status))
        return status;
      break;
    case OPS_COPY:
      if (!heron_cli_mail_parse (cli, _("FOLDER UID[,UID…] DESTINATION [ACCOUNT] — copy messages"),
                                 _("Copies messages (by their UIDs, see heron-cli list) to another folder."),
                                 NULL, &argc, &argv, &status))
        return status;
      break;
    case OPS_DELETE:
    default:
      if (!heron_cli_mail_parse (cli, _("FOLDER UID[,UID…] [ACCOUNT] — delete messages"),
                                 _("Moves messages to the account's Trash; removes them for good when "
                                   "they are in the Trash, when there is none, or with --expunge."),
                                 delete_entries, &argc, &argv, &status))
        return status;
      if (expunge)
        kind = OPS_EXPUNGE;
      break;
    }
  if ((guint) argc < n_positional + 1)
    return heron_cli_fail (cli, HERON_CLI_EXIT_USAGE,
                           with_dest ? _("Name a folder, UIDs and a destination (see --help)")
                                     : _("Name a folder and UIDs (see --help)"));
  if ((guint) argc > n_positional + 2)
    return heron_cli_fail (cli, HERON_CLI_EXIT_USAGE, _("Unexpected argument “%s”"), argv[n_positional + 2]);
  uids = parse_uids (argv[2]);
  if (uids == NULL)
    return heron_cli_fail (cli, HERON_CLI_EXIT_USAGE, _("“%s” is not a list of UIDs such as 3,7,12"), argv[2]);
  account = (guint) argc == n_positional + 2 ? argv[n_positional + 1] : NULL;

  if ((status = heron_cli_mail_find_account (cli, account, &config)) != 0 ||
      (status = heron_cli_mail_open_cache (cli, config, &reader)) != 0 ||
      (status = heron_cli_mail_find_folder (cli, reader, argv[1], &folder)) != 0 ||
      (with_dest && (status = heron_cli_mail_find_folder (cli, reader, argv[3], &dest)) != 0))
    return status;
  for (guint i = 0; i < uids->len; i++)
    {
      g_autoptr(HeronStoreMessage) message = NULL;

      message = heron_store_reader_get_message (reader, folder->id, g_array_index (uids, gint64, i), &error);
      if (message == NULL && g_error_matches (error, HERON_STORE_ERROR, HERON_STORE_ERROR_NOT_FOUND))
        return heron_cli_fail (cli, HERON_CLI_EXIT_NOT_FOUND, _("There is no message %" G_GINT64_FORMAT " in “%s”"),
                               g_array_index (uids, gint64, i), folder->name);
      if (message == NULL)
        return heron_cli_fail_error (cli, HERON_CLI_EXIT_FAILURE, error);
      g_ptr_array_add (message_ids, g_strdup (message->message_id));
    }

  if (!ops_start (&ops, config, &status))
    return status;
  switch (kind)
    {
    case OPS_MOVE:
      heron_account_worker_move_async (ops.worker, folder->name, (const gint64 *) uids->data, uids->len,
                                       dest->name, NULL, heron_cli_async_done, &result);
      break;
    case OPS_COPY:
      heron_account_worker_copy_async (ops.worker, folder->name, (const gint64 *) uids->data, uids->len,
                                       dest->name, NULL, heron_cli_async_done, &result);
      break;
    case OPS_EXPUNGE:
      heron_account_worker_expunge_async (ops.worker, folder->name, (const gint64 *) uids->data, uids->len,
                                          NULL, heron_cli_async_done, &result);
      break;
    case OPS_DELETE:
    default:
      heron_account_worker_delete_async (ops.worker, folder->name, (const gint64 *) uids->data, uids->len,
                                         NULL, heron_cli_async_done, &result);
      break;
    }
  if (!ops_wait (&ops, &result))
    return heron_cli_fail_error (cli, HERON_CLI_EXIT_FAILURE, ops.cache_error);
  switch (kind)
    {
    case OPS_MOVE:
      locals = heron_account_worker_move_finish (ops.worker, result, &error);
      break;
    case OPS_COPY:
      locals = heron_account_worker_copy_finish (ops.worker, result, &error);
      break;
    case OPS_EXPUNGE:
      if (heron_account_worker_expunge_finish (ops.worker, result, &error))
        locals = g_array_new (FALSE, FALSE, sizeof (gint64));
      break;
    case OPS_DELETE:
    default:
      locals = heron_account_worker_delete_finish (ops.worker, result, &error);
      break;
    }
  if (locals == NULL)
    return fail_request (cli, error);

  /* The messages went to the Trash when delete gave them new UIDs. */
  if (kind == OPS_DELETE && locals->len > 0)
    {
      g_autoptr(GPtrArray) all = heron_store_reader_get_folders (reader, NULL);
      const char *trash = heron_account_config_get_special_folder (config, HERON_ACCOUNT_SPECIAL_FOLDER_TRASH);

      for (guint i = 0; all != NULL && i < all->len && dest == NULL; i++)
        {
          HeronStoreFolder *candidate = g_ptr_array_index (all, i);

          if (trash != NULL ? g_strcmp0 (candidate->name, trash) == 0
                            : candidate->special_use == HERON_STORE_SPECIAL_USE_TRASH)
            dest = heron_store_folder_copy (candidate);
        }
    }

  folders[0] = folder->name;
  folders[1] = dest != NULL ? dest->name : NULL;
  on_server = ops_wait_for_server (&ops, reader, folders);
  if (dest != NULL)
    now = current_uids (reader, dest->id, message_ids, locals);

  if (cli->json && ops.refused == NULL)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "folder");
      json_builder_add_string_value (builder, folder->name);
      add_uids_json (builder, "uids", uids);
      json_builder_set_member_name (builder, "destination");
      if (dest != NULL)
        json_builder_add_string_value (builder, dest->name);
      else
        json_builder_add_null_value (builder);
      add_uids_json (builder, "new-uids", now);
      json_builder_set_member_name (builder, "on-server");
      json_builder_add_boolean_value (builder, on_server);
      json_builder_end_object (builder);
      root = json_builder_get_root (builder);
      heron_cli_print_json (root);
    }
  else if (!cli->json && dest != NULL && ops.refused == NULL)
    {
      for (guint i = 0; i < now->len; i++)
        g_print ("%" G_GINT64_FORMAT "\t%s\t%" G_GINT64_FORMAT "\n", g_array_index (uids, gint64, i),
                 dest->name, g_array_index (now, gint64, i));
    }

  switch (kind)
    {
    case OPS_MOVE:
      done = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Moved %u message to “%s”",
                                           "Moved %u messages to “%s”", uids->len), uids->len, dest->name);
      break;
    case OPS_COPY:
      done = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Copied %u message to “%s”",
                                           "Copied %u messages to “%s”", uids->len), uids->len, dest->name);
      break;
    default:
      done = g_strdup_printf (dest != NULL ?
                              g_dngettext (GETTEXT_PACKAGE, "Moved %u message to the Trash",
                                           "Moved %u messages to the Trash", uids->len) :
                              g_dngettext (GETTEXT_PACKAGE, "Removed %u message for good",
                                           "Removed %u messages for good", uids->len), uids->len);
      break;
    }
  return report_server (cli, &ops, on_server, done);
}

int
heron_cli_move (HeronCli *cli,
                int       argc,
                char    **argv)
{
  return run_messages (cli, OPS_MOVE, argc, argv);
}

int
heron_cli_copy (HeronCli *cli,
                int       argc,
                char    **argv)
{
  return run_messages (cli, OPS_COPY, argc, argv);
}

int
heron_cli_delete (HeronCli *cli,
                  int       argc,
                  char    **argv)
{
  return run_messages (cli, OPS_DELETE, argc, argv);
}

/* A path the person gives for a new folder ("Work/2024", with the server's separator): the
 * deepest folder of the cache it starts with (by server or display name), whose server name goes
 * to *out_parent (NULL: the top level), and the rest, the new folder's own name, in *out_leaf. The
 * worker writes the server's form of it. */
static void
split_new_path (HeronStoreReader  *reader,
                const char        *path,
                char             **out_parent,
                char             **out_leaf)
{
  g_autoptr(GPtrArray) folders = heron_store_reader_get_folders (reader, NULL);
  const HeronStoreFolder *parent = NULL;
  gsize parent_len = 0;

  for (guint i = 0; folders != NULL && i < folders->len; i++)
    {
      const HeronStoreFolder *folder = g_ptr_array_index (folders, i);

      if (folder->delimiter == '\0')
        continue;
      for (guint pass = 0; pass < 2; pass++)
        {
          const char *prefix = pass == 0 ? folder->name : folder->display_name;
          gsize len = prefix != NULL ? strlen (prefix) : 0;

          if (len > parent_len && strncmp (path, prefix, len) == 0 && path[len] == folder->delimiter &&
              path[len + 1] != '\0' && strchr (path + len + 1, folder->delimiter) == NULL)
            {
              parent = folder;
              parent_len = len;
            }
        }
    }
  *out_parent = parent != NULL ? g_strdup (parent->name) : NULL;
  *out_leaf = g_strdup (parent != NULL ? path + parent_len + 1 : path);
}

static int
run_folder (HeronCli *cli,
            OpsKind   kind,
            int       argc,
            char    **argv)
{
  g_auto(Ops) ops = { cli, NULL, NULL, NULL };
  g_autoptr(HeronAccountConfig) config = NULL;
  g_autoptr(HeronStoreReader) reader = NULL;
  g_autoptr(HeronStoreFolder) folder = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *name = NULL;
  g_autofree char *new_name = NULL;
  g_autofree char *parent = NULL;
  g_autofree char *leaf = NULL;
  g_autofree char *done = NULL;
  guint n_positional = kind == OPS_RENAME ? 2 : 1;
  const char *account;
  gboolean ok, on_server;
  int status;

  switch (kind)
    {
    case OPS_MKDIR:
      ok = heron_cli_mail_parse (cli, _("NAME [ACCOUNT] — create a folder"),
                                 _("Creates a folder; NAME is its whole path (“Work/2024”) with the "
                                   "server's separator (see heron-cli folders)."),
                                 NULL, &argc, &argv, &status);
      break;
    case OPS_RENAME:
      ok = heron_cli_mail_parse (cli, _("FOLDER NEW-NAME [ACCOUNT] — rename a folder"),
                                 _("Renames a folder (and moves it in the tree); the folders below it "
                                   "follow."),
                                 NULL, &argc, &argv, &status);
      break;
    case OPS_RMDIR:
    default:
      ok = heron_cli_mail_parse (cli, _("FOLDER [ACCOUNT] — delete a folder"),
                                 _("Deletes a folder and the messages in it. Folders below it stay."),
                                 NULL, &argc, &argv, &status);
      break;
    }
  if (!ok)
    return status;
  if ((guint) argc < n_positional + 1)
    return heron_cli_fail (cli, HERON_CLI_EXIT_USAGE,
                           kind == OPS_RENAME ? _("Name a folder and its new name (see --help)")
                                              : _("Name a folder (see --help)"));
  if ((guint) argc > n_positional + 2)
    return heron_cli_fail (cli, HERON_CLI_EXIT_USAGE, _("Unexpected argument “%s”"), argv[n_positional + 2]);
  account = (guint) argc == n_positional + 2 ? argv[n_positional + 1] : NULL;

  if ((status = heron_cli_mail_find_account (cli, account, &config)) != 0 ||
      (status = heron_cli_mail_open_cache (cli, config, &reader)) != 0)
    return status;
  if (kind == OPS_MKDIR)
    split_new_path (reader, argv[1], &parent, &leaf);
  else
    {
      if ((status = heron_cli_mail_find_folder (cli, reader, argv[1], &folder)) != 0)
        return status;
      name = g_strdup (folder->name);
    }
  if (kind == OPS_RENAME)
    split_new_path (reader, argv[2], &parent, &leaf);

  if (!ops_start (&ops, config, &status))
    return status;
  switch (kind)
    {
    case OPS_MKDIR:
      heron_account_worker_create_folder_async (ops.worker, parent, leaf, NULL, heron_cli_async_done, &result);
      break;
    case OPS_RENAME:
      heron_account_worker_rename_folder_async (ops.worker, name, parent, leaf, NULL, heron_cli_async_done,
                                                &result);
      break;
    case OPS_RMDIR:
    default:
      heron_account_worker_delete_folder_async (ops.worker, name, NULL, heron_cli_async_done, &result);
      break;
    }
  if (!ops_wait (&ops, &result))
    return heron_cli_fail_error (cli, HERON_CLI_EXIT_FAILURE, ops.cache_error);
  switch (kind)
    {
    case OPS_MKDIR:
      name = heron_account_worker_create_folder_finish (ops.worker, result, &error);
      ok = name != NULL;
      done = g_strdup_printf (_("Created “%s”"), name);
      break;
    case OPS_RENAME:
      new_name = heron_account_worker_rename_folder_finish (ops.worker, result, &error);
      ok = new_name != NULL;
      done = g_strdup_printf (_("Renamed “%s” to “%s”"), name, new_name);
      break;
    case OPS_RMDIR:
    default:
      ok = heron_account_worker_delete_folder_finish (ops.worker, result, &error);
      done = g_strdup_printf (_("Deleted “%s”"), name);
      break;
    }
  if (!ok)
    return fail_request (cli, error);

  on_server = ops_wait_for_server (&ops, reader, NULL);
  if (cli->json && ops.refused == NULL)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "folder");
      json_builder_add_string_value (builder, name);
      if (new_name != NULL)
        {
          json_builder_set_member_name (builder, "new-name");
          json_builder_add_string_value (builder, new_name);
        }
      json_builder_set_member_name (builder, "on-server");
      json_builder_add_boolean_value (builder, on_server);
      json_builder_end_object (builder);
      root = json_builder_get_root (builder);
      heron_cli_print_json (root);
    }
  return report_server (cli, &ops, on_server, done);
}

int
heron_cli_mkdir (HeronCli *cli,
                 int       argc,
                 char    **argv)
{
  return run_folder (cli, OPS_MKDIR, argc, argv);
}

int
heron_cli_rename (HeronCli *cli,
                  int       argc,
                  char    **argv)
{
  return run_folder (cli, OPS_RENAME, argc, argv);
}

int
heron_cli_rmdir (HeronCli *cli,
                 int       argc,
                 char    **argv)
{
  return run_folder (cli, OPS_RMDIR, argc, argv);
}

/* heron-cli-mail.c: heron-cli folders|list|search (the cache, offline) and what the mail commands
 * share: finding the account, its cache and a folder of it.
 *
 * Copyright 2026 The Heron developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "heron-cli.h"
#include "heron-cli-mail-private.h"

/* The account named by @id, or the only one when @id is NULL. Returns an exit code; on success
 * (HERON_CLI_EXIT_OK) *@out_config holds a reference. */
int
heron_cli_mail_find_account (HeronCli            *cli,
                             const char          *id,
                             HeronAccountConfig **out_config)
{
  g_autoptr(HeronAccountConfigStore) store = heron_account_config_store_new ();
  g_autoptr(GError) error = NULL;
  guint n;

  if (!heron_account_config_store_load (store, NULL, &error))
    return heron_cli_fail_error (cli, HERON_CLI_EXIT_FAILURE, error);

  if (id != NULL)
    {
      HeronAccountConfig *config = heron_account_config_store_lookup (store, id);

      if (config == NULL)
        return heron_cli_fail (cli, HERON_CLI_EXIT_NOT_FOUND, _("There is no account “%s”"), id);
      *out_config = g_object_ref (config);
      return HERON_CLI_EXIT_OK;
    }

  n = g_list_model_get_n_items (G_LIST_MODEL (store));
  if (n == 0)
    return heron_cli_fail (cli, HERON_CLI_EXIT_NOT_FOUND,
                           _("There is no account; add one with heron-cli account add"));
  if (n > 1)
    return heron_cli_fail (cli, HERON_CLI_EXIT_USAGE,
                           _("There are %u accounts: name one (see heron-cli account list)"), n);
  *out_config = g_list_model_get_item (G_LIST_MODEL (store), 0);
  return HERON_CLI_EXIT_OK;
}

/* Opens the account's cache for reading, where the sync worker keeps it by default. */
int
heron_cli_mail_open_cache (HeronCli            *cli,
                           HeronAccountConfig  *config,
                           HeronStoreReader   **out_reader)
{
  g_autofree char *path = heron_store_dup_default_path (heron_account_config_get_id (config));
  g_autoptr(GError) error = NULL;

  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    return heron_cli_fail (cli, HERON_CLI_EXIT_NOT_FOUND,
                           _("The account “%s” has no cache yet; run heron-cli sync first"),
                           heron_account_config_get_id (config));
  *out_reader = heron_store_reader_open (path, &error);
  if (*out_reader == NULL)
    return heron_cli_fail_error (cli, HERON_CLI_EXIT_FAILURE, error);
  return HERON_CLI_EXIT_OK;
}

/* The folder called @name (the server's name or the display name). */
int
heron_cli_mail_find_folder (HeronCli           *cli,
                            HeronStoreReader   *reader,
                            const char         *name,
                            HeronStoreFolder  **out_folder)
{
  g_autoptr(GPtrArray) folders = NULL;
  g_autoptr(GError) error = NULL;

  folders = heron_store_reader_get_folders (reader, &error);
  if (folders == NULL)
    return heron_cli_fail_error (cli, HERON_CLI_EXIT_FAILURE, error);
  for (guint pass = 0; pass < 2; pass++)
    for (guint i = 0; i < folders->len; i++)
      {
        HeronStoreFolder *folder = g_ptr_array_index (folders, i);

        if (g_strcmp0 (pass == 0 ? folder->name : folder->display_name, name) == 0)
          {
            *out_folder = heron_store_folder_copy (folder);
            return HERON_CLI_EXIT_OK;
          }
      }
  return heron_cli_fail (cli, HERON_CLI_EXIT_NOT_FOUND,
                         _("There is no folder “%s” in the cache (see heron-cli folders)"), name);
}

static const struct {
  guint flag;
  const char *name;
} system_flags[] = {
  { HERON_STORE_FLAG_SEEN, "\\Seen" },
  { HERON_STORE_FLAG_ANSWERED, "\\Answered" },
  { HERON_STORE_FLAG_FLAGGED, "\\Flagged" },
  { HERON_STORE_FLAG_DELETED, "\\Deleted" },
  { HERON_STORE_FLAG_DRAFT, "\\Draft" },
};

/* "\Seen" → HERON_STORE_FLAG_SEEN (case does not matter), 0 for anything else. */
guint
heron_cli_mail_system_flag_from_string (const char *name)
{
  for (guint i = 0; i < G_N_ELEMENTS (system_flags); i++)
    if (g_ascii_strcasecmp (name, system_flags[i].name) == 0)
      return system_flags[i].flag;
  return 0;
}

/* Every flag of @message as IMAP writes them: system flags, then keywords. */
GStrv
heron_cli_mail_dup_flags (const HeronStoreMessage *message)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  for (guint i = 0; i < G_N_ELEMENTS (system_flags); i++)
    if (message->flags & system_flags[i].flag)
      g_strv_builder_add (builder, system_flags[i].name);
  if (message->keywords != NULL)
    {
      g_auto(GStrv) keywords = g_strsplit (message->keywords, " ", -1);

      for (guint i = 0; keywords[i] != NULL; i++)
        if (keywords[i][0] != '\0')
          g_strv_builder_add (builder, keywords[i]);
    }
  return g_strv_builder_end (builder);
}

static const char *
special_use_to_string (HeronStoreSpecialUse use)
{
  switch (use)
    {
    case HERON_STORE_SPECIAL_USE_ALL: return "\\All";
    case HERON_STORE_SPECIAL_USE_ARCHIVE: return "\\Archive";
    case HERON_STORE_SPECIAL_USE_DRAFTS: return "\\Drafts";
    case HERON_STORE_SPECIAL_USE_FLAGGED: return "\\Flagged";
    case HERON_STORE_SPECIAL_USE_JUNK: return "\\Junk";
    case HERON_STORE_SPECIAL_USE_SENT: return "\\Sent";
    case HERON_STORE_SPECIAL_USE_TRASH: return "\\Trash";
    case HERON_STORE_SPECIAL_USE_NONE:
    default:
      return NULL;
    }
}

static char *
format_date (gint64 unix_seconds)
{
  g_autoptr(GDateTime) date = NULL;

  if (unix_seconds <= 0)
    return g_strdup ("");
  date = g_date_time_new_from_unix_local (unix_seconds);
  return date != NULL ? g_date_time_format (date, "%Y-%m-%d %H:%M") : g_strdup ("");
}

static char *
format_from (const HeronStoreMessage *message)
{
  if (message->from_name != NULL && message->from_name[0] != '\0')
    return g_strdup_printf ("%s <%s>", message->from_name,
                            message->from_address != NULL ? message->from_address : "");
  return g_strdup (message->from_address != NULL ? message->from_address : "");
}

/* One message as a JSON object: what list and search print. */
static void
add_message_json (JsonBuilder             *builder,
                  const char              *folder,
                  const HeronStoreMessage *message)
{
  g_auto(GStrv) flags = heron_cli_mail_dup_flags (message);
  g_autoptr(GDateTime) date = message->date > 0 ? g_date_time_new_from_unix_utc (message->date) : NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "folder");
  json_builder_add_string_value (builder, folder);
  json_builder_set_member_name (builder, "uid");
  json_builder_add_int_value (builder, message->uid);
  json_builder_set_member_name (builder, "date");
  if (date != NULL)
    {
      g_autofree char *text = g_date_time_format_iso8601 (date);

      json_builder_add_string_value (builder, text);
    }
  else
    json_builder_add_null_value (builder);
  json_builder_set_member_name (builder, "from-name");
  json_builder_add_string_value (builder, message->from_name);
  json_builder_set_member_name (builder, "from-address");
  json_builder_add_string_value (builder, message->from_address);
  json_builder_set_member_name (builder, "subject");
  json_builder_add_string_value (builder, message->subject);
  json_builder_set_member_name (builder, "flags");
  json_builder_begin_array (builder);
  for (guint i = 0; flags[i] != NULL; i++)
    json_builder_add_string_value (builder, flags[i]);
  json_builder_end_array (builder);
  json_builder_end_object (builder);
}

static void
print_message_line (const char              *folder,
                    const HeronStoreMessage *message)
{
  g_auto(GStrv) flags = heron_cli_mail_dup_flags (message);
  g_autofree char *joined = g_strjoinv (" ", flags);
  g_autofree char *date = format_date (message->date);
  g_autofree char *from = format_from (message);

  if (folder != NULL)
    g_print ("%s\t", folder);
  g_print ("%" G_GINT64_FORMAT "\t%s\t%s\t%s\t%s\n", message->uid, date, from,
           message->subject != NULL ? message->subject : "", joined);
}

/* Parses the options of a mail command; leaves the positional arguments in @argv. */
gboolean
heron_cli_mail_parse (HeronCli           *cli,
                      const char         *parameters,
                      const char         *summary,
                      const GOptionEntry *entries,
                      int                *argc,
                      char             ***argv,
                      int                *out_exit)
{
  g_autoptr(GOptionContext) context = g_option_context_new (parameters);
  g_autoptr(GError) error = NULL;
  gboolean json = FALSE;
  const GOptionEntry json_entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print JSON"), NULL },
    { NULL }
  };

  g_option_context_add_main_entries (context, json_entries, GETTEXT_PACKAGE);
  if (entries != NULL)
    g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  g_option_context_set_summary (context, summary);
  if (!g_option_context_parse (context, argc, argv, &error))
    {
      *out_exit = heron_cli_fail_error (cli, HERON_CLI_EXIT_USAGE, error);
      return FALSE;
    }
  return TRUE;
}

int
heron_cli_folders (HeronCli *cli,
                   int       argc,
                   char    **argv)
{
  g_autoptr(HeronAccountConfig) config = NULL;
  g_autoptr(HeronStoreReader) reader = NULL;
  g_autoptr(GPtrArray) folders = NULL;
  g_autoptr(GError) error = NULL;
  int status;

  if (!heron_cli_mail_parse (cli, _("[ACCOUNT] — the folders in the cache"),
                             _("Lists the account's folders from the local cache, without the "
                               "network: name, special use, messages and unread messages."),
                             NULL, &argc, &argv, &status))
    return status;
  if (argc > 2)
    return heron_cli_fail (cli, HERON_CLI_EXIT_USAGE, _("Unexpected argument “%s”"), argv[2]);
  if ((status = heron_cli_mail_find_account (cli, argc == 2 ? argv[1] : NULL, &config)) != 0 ||
      (status = heron_cli_mail_open_cache (cli, config, &reader)) != 0)
    return status;

  folders = heron_store_reader_get_folders (reader, &error);
  if (folders == NULL)
    return heron_cli_fail_error (cli, HERON_CLI_EXIT_FAILURE, error);

  if (cli->json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "folders");
      json_builder_begin_array (builder);
      for (guint i = 0; i < folders->len; i++)
        {
          HeronStoreFolder *folder = g_ptr_array_index (folders, i);
          g_autofree char *parent = heron_store_folder_dup_parent_name (folder);

          json_builder_begin_object (builder);
          json_builder_set_member_name (builder, "name");
          json_builder_add_string_value (builder, folder->name);
          json_builder_set_member_name (builder, "display-name");
          json_builder_add_string_value (builder, folder->display_name);
          json_builder_set_member_name (builder, "parent");
          json_builder_add_string_value (builder, parent);
          json_builder_set_member_name (builder, "special-use");
          json_builder_add_string_value (builder, special_use_to_string (folder->special_use));
          json_builder_set_member_name (builder, "selectable");
          json_builder_add_boolean_value (builder,
                                          (folder->attributes & (HERON_STORE_FOLDER_NOSELECT |
                                                                 HERON_STORE_FOLDER_NONEXISTENT)) == 0);
          json_builder_set_member_name (builder, "messages");
          json_builder_add_int_value (builder, folder->n_messages);
          json_builder_set_member_name (builder, "unread");
          json_builder_add_int_value (builder, folder->n_unread);
          json_builder_end_object (builder);
        }
      json_builder_end_array (builder);
      json_builder_end_object (builder);
      root = json_builder_get_root (builder);
      heron_cli_print_json (root);
      return HERON_CLI_EXIT_OK;
    }

  for (guint i = 0; i < folders->len; i++)
    {
      HeronStoreFolder *folder = g_ptr_array_index (folders, i);
      const char *display = folder->display_name != NULL ? folder->display_name : folder->name;
      const char *use = special_use_to_string (folder->special_use);
      guint depth = 0;

      /* Indent by depth in the tree: count the delimiters of the full path. */
      for (const char *p = display; folder->delimiter != '\0' && *p != '\0'; p++)
        if (*p == folder->delimiter)
          depth++;
      g_print ("%*s%s\t%s\t%u\t%u\n", (int) depth * 2, "", display, use != NULL ? use : "-",
               folder->n_messages, folder->n_unread);
    }
  return HERON_CLI_EXIT_OK;
}

static gboolean
parse_limit (HeronCli *cli,
             int       limit,
             int      *out_exit)
{
  if (limit < 1)
    {
      *out_exit = heron_cli_fail (cli, HERON_CLI_EXIT_USAGE, _("--limit must be a number above 0"));
      return FALSE;
    }
  return TRUE;
}

int
heron_cli_list (HeronCli *cli,
                int       argc,
                char    **argv)
{
  int limit = 50;
  const GOptionEntry entries[] = {
    { "limit", 0, 0, G_OPTION_ARG_INT, &limit, N_("Show at most N messages (default 50)"), N_("N") },
    { NULL }
  };
  g_autoptr(HeronAccountConfig) config = NULL;
  g_autoptr(HeronStoreReader) reader = NULL;
  g_autoptr(HeronStoreFolder) folder = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  g_autoptr(GError) error = NULL;
  int status;

  if (!heron_cli_mail_parse (cli, _("FOLDER [ACCOUNT] — the newest messages of a folder"),
                             _("Lists a folder's messages from the local cache, newest first, "
                               "without the network: UID, date, sender, subject and flags."),
                             entries, &argc, &argv, &status) ||
      !parse_limit (cli, limit, &status))
    return status;
  if (argc < 2)
    return heron_cli_fail (cli, HERON_CLI_EXIT_USAGE, _("Name a folder (see heron-cli list --help)"));
  if (argc > 3)
    return heron_cli_fail (cli, HERON_CLI_EXIT_USAGE, _("Unexpected argument “%s”"), argv[3]);
  if ((status = heron_cli_mail_find_account (cli, argc == 3 ? argv[2] : NULL, &config)) != 0 ||
      (status = heron_cli_mail_open_cache (cli, config, &reader)) != 0 ||
      (status = heron_cli_mail_find_folder (cli, reader, argv[1], &folder)) != 0)
    return status;

  rows = heron_store_reader_get_rows (reader, folder->id, 0, (guint) limit, &error);
  if (rows == NULL)
    return heron_cli_fail_error (cli, HERON_CLI_EXIT_FAILURE, error);

  if (cli->json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "folder");
      json_builder_add_string_value (builder, folder->name);
      json_builder_set_member_name (builder, "total");
      json_builder_add_int_value (builder, folder->n_messages);
      json_builder_set_member_name (builder, "messages");
      json_builder_begin_array (builder);
      for (guint i = 0; i < rows->len; i++)
        add_message_json (builder, folder->name, g_ptr_array_index (rows, i));
      json_builder_end_array (builder);
      json_builder_end_object (builder);
      root = json_builder_get_root (builder);
      heron_cli_print_json (root);
      return HERON_CLI_EXIT_OK;
    }

  for (guint i = 0; i < rows->len; i++)
    print_message_line (NULL, g_ptr_array_index (rows, i));
  return HERON_CLI_EXIT_OK;
}

int
heron_cli_search (HeronCli *cli,
                  int       argc,
                  char    **argv)
{
  int limit = 50;
  g_autofree char *folder_name = NULL;
  const GOptionEntry entries[] = {
    { "folder", 0, 0, G_OPTION_ARG_STRING, &folder_name, N_("Search this folder only"), N_("FOLDER") },
    { "limit", 0, 0, G_OPTION_ARG_INT, &limit, N_("Show at most N messages (default 50)"), N_("N") },
    { NULL }
  };
  g_autoptr(HeronAccountConfig) config = NULL;
  g_autoptr(HeronStoreReader) reader = NULL;
  g_autoptr(HeronStoreFolder) folder = NULL;
  g_autoptr(GPtrArray) folders = NULL;
  g_autoptr(GArray) refs = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  int status;

  if (!heron_cli_mail_parse (cli, _("QUERY [ACCOUNT] — search the cache"),
                             _("Searches the local cache, without the network: every word of "
                               "QUERY must occur in the sender, recipients, subject or body "
                               "(words match as prefixes, \"quoted words\" as a phrase). Newest first."),
                             entries, &argc, &argv, &status) ||
      !parse_limit (cli, limit, &status))
    return status;
  if (argc < 2)
    return heron_cli_fail (cli, HERON_CLI_EXIT_USAGE, _("Give a query (see heron-cli search --help)"));
  if (argc > 3)
    return heron_cli_fail (cli, HERON_CLI_EXIT_USAGE, _("Unexpected argument “%s”"), argv[3]);
  if ((status = heron_cli_mail_find_account (cli, argc == 3 ? argv[2] : NULL, &config)) != 0 ||
      (status = heron_cli_mail_open_cache (cli, config, &reader)) != 0)
    return status;
  if (folder_name != NULL &&
      (status = heron_cli_mail_find_folder (cli, reader, folder_name, &folder)) != 0)
    return status;

  folders = heron_store_reader_get_folders (reader, &error);
  if (folders == NULL)
    return heron_cli_fail_error (cli, HERON_CLI_EXIT_FAILURE, error);
  refs = heron_store_reader_search (reader, argv[1], folder != NULL ? folder->id : 0,
                                    (guint) limit, &error);
  if (refs == NULL)
    return heron_cli_fail_error (cli, HERON_CLI_EXIT_FAILURE, error);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "messages");
  json_builder_begin_array (builder);
  for (guint i = 0; i < refs->len; i++)
    {
      HeronStoreMessageRef *ref = &g_array_index (refs, HeronStoreMessageRef, i);
      g_autoptr(HeronStoreMessage) message = NULL;
      const char *name = NULL;

      for (guint j = 0; j < folders->len && name == NULL; j++)
        if (((HeronStoreFolder *) g_ptr_array_index (folders, j))->id == ref->folder_id)
          name = ((HeronStoreFolder *) g_ptr_array_index (folders, j))->name;
      message = heron_store_reader_get_message (reader, ref->folder_id, ref->uid, &error);
      if (message == NULL)
        return heron_cli_fail_error (cli, HERON_CLI_EXIT_FAILURE, error);
      if (cli->json)
        add_message_json (builder, name, message);
      else
        print_message_line (name != NULL ? name : "", message);
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);
  if (cli->json)
    {
      g_autoptr(JsonNode) root = json_builder_get_root (builder);

      heron_cli_print_json (root);
    }
  return HERON_CLI_EXIT_OK;
}

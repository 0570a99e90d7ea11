/* heron-account-keyfile.c: reading and writing one account file
 *
 * Copyright 2026 The Heron developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The format is a GKeyFile, described in docs/accounts.md. GKeyFile's own errors rarely say
 * where the problem is, and a person who edited the file by hand needs the line. So before
 * GKeyFile parses the text we index it ourselves: the line of every [Group] and Key=value, and
 * the first line that is none of those. Every value is then read as raw text and checked here,
 * and any complaint names "<file> line <n>".
 */

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "heron-account-error.h"
#include "heron-account-private.h"

#define GROUP_ACCOUNT "Account"
#define GROUP_IDENTITY "Identity"
#define GROUP_IMAP "IMAP"
#define GROUP_SMTP "SMTP"
#define GROUP_SYNC "Sync"
#define GROUP_FOLDERS "Folders"

typedef struct {
  const char *path;
  GHashTable *group_lines; /* group name -> first line (1-based) */
  GHashTable *key_lines;   /* "group\nkey" -> line of the last occurrence, which GKeyFile keeps */
  GKeyFile *key_file;
} Reader;

static char *
key_id (const char *group,
        const char *key)
{
  return g_strconcat (group, "\n", key, NULL);
}

static guint
line_of (Reader     *reader,
         const char *group,
         const char *key)
{
  gpointer line = NULL;

  if (key != NULL)
    {
      g_autofree char *id = key_id (group, key);

      line = g_hash_table_lookup (reader->key_lines, id);
    }
  if (line == NULL)
    line = g_hash_table_lookup (reader->group_lines, group);

  return GPOINTER_TO_UINT (line);
}

/* Sets an error about a key (or, with key NULL or absent from the file, its group) that names the
 * file and the line. Always returns FALSE. */
G_GNUC_PRINTF (6, 7)
static gboolean
fail_at (Reader      *reader,
         GError     **error,
         int          code,
         const char  *group,
         const char  *key,
         const char  *format,
         ...)
{
  g_autofree char *message = NULL;
  va_list args;
  guint line;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  line = group != NULL ? line_of (reader, group, key) : 0;
  if (line > 0)
    /* TRANSLATORS: "/home/alice/.config/heron/accounts/work.conf line 12: <what is wrong>" */
    g_set_error (error, HERON_ACCOUNT_ERROR, code, _("%s line %u: %s"), reader->path, line, message);
  else
    g_set_error (error, HERON_ACCOUNT_ERROR, code, "%s: %s", reader->path, message);

  return FALSE;
}

/* The same as GKeyFile's check: a group name is not empty and has no "]" or control character. */
static gboolean
group_name_is_valid (const char *name,
                     gsize       length)
{
  if (length == 0)
    return FALSE;
  for (gsize i = 0; i < length; i++)
    if (name[i] == '[' || name[i] == ']' || g_ascii_iscntrl (name[i]))
      return FALSE;
  return TRUE;
}

/* Indexes the lines of the text, and fails on the first line GKeyFile would refuse. */
static gboolean
index_lines (Reader      *reader,
             const char  *text,
             GError     **error)
{
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);
  g_autofree char *group = NULL;

  for (guint i = 0; lines[i] != NULL; i++)
    {
      guint number = i + 1;
      char *line = lines[i];
      gsize length;
      char *equals;

      if (!g_utf8_validate (line, -1, NULL))
        {
          g_set_error (error, HERON_ACCOUNT_ERROR, HERON_ACCOUNT_ERROR_SYNTAX,
                       _("%s line %u: %s"), reader->path, number,
                       _("the line is not valid UTF-8 text"));
          return FALSE;
        }

      /* GKeyFile ignores leading white space; a trailing "\r" of a CRLF file is white space too. */
      g_strstrip (line);
      length = strlen (line);
      if (length == 0 || line[0] == '#')
        continue;

      if (line[0] == '[')
        {
          if (line[length - 1] != ']' || !group_name_is_valid (line + 1, length - 2))
            {
              g_set_error (error, HERON_ACCOUNT_ERROR, HERON_ACCOUNT_ERROR_SYNTAX,
                           _("%s line %u: %s"), reader->path, number,
                           _("a group must be written as [Name], with no brackets inside"));
              return FALSE;
            }
          g_free (group);
          group = g_strndup (line + 1, length - 2);
          if (!g_hash_table_contains (reader->group_lines, group))
            g_hash_table_insert (reader->group_lines, g_strdup (group), GUINT_TO_POINTER (number));
          continue;
        }

      equals = strchr (line, '=');
      if (equals == NULL || equals == line)
        {
          g_set_error (error, HERON_ACCOUNT_ERROR, HERON_ACCOUNT_ERROR_SYNTAX,
                       _("%s line %u: %s"), reader->path, number,
                       _("the line is neither a [Group], a Key=value pair nor a # comment"));
          return FALSE;
        }
      if (group == NULL)
        {
          g_set_error (error, HERON_ACCOUNT_ERROR, HERON_ACCOUNT_ERROR_SYNTAX,
                       _("%s line %u: %s"), reader->path, number,
                       _("the key is outside any [Group]; the file must start with one"));
          return FALSE;
        }

      *equals = '\0';
      g_strchomp (line);
      g_hash_table_insert (reader->key_lines, key_id (group, line), GUINT_TO_POINTER (number));
    }

  return TRUE;
}

/* A string value, unescaped; NULL without error when the key is absent or empty. */
static gboolean
read_string (Reader      *reader,
             const char  *group,
             const char  *key,
             char       **out_value,
             GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree char *value = NULL;

  *out_value = NULL;
  if (!g_key_file_has_key (reader->key_file, group, key, NULL))
    return TRUE;

  /* GKeyFile returns the text and an error for an invalid escape sequence such as "\q". */
  value = g_key_file_get_string (reader->key_file, group, key, &local_error);
  if (value == NULL || local_error != NULL)
    return fail_at (reader, error, HERON_ACCOUNT_ERROR_SYNTAX, group, key,
                    _("%s has an invalid escape sequence: after a backslash only s, n, t, r or "
                      "another backslash may follow"), key);

  if (value[0] != '\0')
    *out_value = g_steal_pointer (&value);
  return TRUE;
}

/* A trimmed raw value for numbers, booleans and words; NULL when absent or empty. */
static char *
read_word (Reader     *reader,
           const char *group,
           const char *key)
{
  char *value = g_key_file_get_value (reader->key_file, group, key, NULL);

  if (value != NULL)
    {
      g_strstrip (value);
      if (value[0] == '\0')
        g_clear_pointer (&value, g_free);
    }
  return value;
}

static gboolean
read_enum (Reader      *reader,
           const char  *group,
           const char  *key,
           GType        enum_type,
           const char  *choices,
           int         *inout_value,
           GError     **error)
{
  g_autofree char *word = read_word (reader, group, key);

  if (word == NULL)
    return TRUE;
  if (heron_account_enum_from_string (enum_type, word, inout_value))
    return TRUE;

  /* TRANSLATORS: "Security must be tls, starttls or none, not “ssl”" */
  return fail_at (reader, error, HERON_ACCOUNT_ERROR_INVALID, group, key,
                  _("%s must be %s, not “%s”"), key, choices, word);
}

static gboolean
read_uint (Reader      *reader,
           const char  *group,
           const char  *key,
           guint        min,
           guint        max,
           guint       *inout_value,
           GError     **error)
{
  g_autofree char *word = read_word (reader, group, key);
  guint64 number;

  if (word == NULL)
    return TRUE;
  if (g_ascii_string_to_unsigned (word, 10, min, max, &number, NULL))
    {
      *inout_value = (guint) number;
      return TRUE;
    }

  return fail_at (reader, error, HERON_ACCOUNT_ERROR_INVALID, group, key,
                  _("%s must be a number from %u to %u, not “%s”"), key, min, max, word);
}

static gboolean
read_boolean (Reader      *reader,
              const char  *group,
              const char  *key,
              gboolean    *inout_value,
              GError     **error)
{
  g_autofree char *word = read_word (reader, group, key);

  if (word == NULL)
    return TRUE;
  if (g_ascii_strcasecmp (word, "true") == 0)
    *inout_value = TRUE;
  else if (g_ascii_strcasecmp (word, "false") == 0)
    *inout_value = FALSE;
  else
    return fail_at (reader, error, HERON_ACCOUNT_ERROR_INVALID, group, key,
                    _("%s must be true or false, not “%s”"), key, word);
  return TRUE;
}

static gboolean
is_identity_group (const char *group)
{
  return g_str_equal (group, GROUP_IDENTITY) || g_str_has_prefix (group, GROUP_IDENTITY " ");
}

static gboolean
read_identity (Reader              *reader,
               const char          *group,
               HeronAccountConfig  *config,
               GError             **error)
{
  g_autoptr(HeronAccountIdentity) identity = NULL;
  g_autofree char *name = NULL;
  g_autofree char *address = NULL;
  g_autofree char *signature = NULL;
  g_autofree char *reply_to = NULL;

  if (!read_string (reader, group, "Name", &name, error)
      || !read_string (reader, group, "Address", &address, error)
      || !read_string (reader, group, "Signature", &signature, error)
      || !read_string (reader, group, "ReplyTo", &reply_to, error))
    return FALSE;

  if (address == NULL)
    return fail_at (reader, error, HERON_ACCOUNT_ERROR_INVALID, group, NULL,
                    _("[%s] has no Address"), group);
  if (!heron_account_address_is_valid (address))
    return fail_at (reader, error, HERON_ACCOUNT_ERROR_INVALID, group, "Address",
                    _("“%s” is not an e-mail address"), address);
  if (reply_to != NULL && !heron_account_address_is_valid (reply_to))
    return fail_at (reader, error, HERON_ACCOUNT_ERROR_INVALID, group, "ReplyTo",
                    _("ReplyTo “%s” is not an e-mail address"), reply_to);

  identity = heron_account_identity_new (name, address);
  heron_account_identity_set_signature (identity, signature);
  heron_account_identity_set_reply_to (identity, reply_to);
  heron_account_config_add_identity (config, identity);
  return TRUE;
}

static gboolean
read_server (Reader              *reader,
             const char          *group,
             HeronAccountServer  *server,
             const char          *default_user,
             GError             **error)
{
  g_autofree char *host = NULL;
  g_autofree char *user = NULL;
  g_autofree char *pinned_file = NULL;
  g_autofree char *pinned_pem = NULL;
  g_autoptr(GError) check_error = NULL;
  int security = HERON_ACCOUNT_SECURITY_TLS;
  int auth = HERON_ACCOUNT_AUTH_PASSWORD;
  gboolean allow_plaintext = FALSE;
  guint port = 0;
  const char *bad_key = NULL;

  if (!g_key_file_has_group (reader->key_file, group))
    return fail_at (reader, error, HERON_ACCOUNT_ERROR_INVALID, NULL, NULL,
                    _("the [%s] group is missing"), group);

  if (!read_string (reader, group, "Host", &host, error)
      || !read_uint (reader, group, "Port", 1, G_MAXUINT16, &port, error)
      || !read_enum (reader, group, "Security", HERON_TYPE_ACCOUNT_SECURITY,
                     "tls, starttls or none", &security, error)
      || !read_enum (reader, group, "Authentication", HERON_TYPE_ACCOUNT_AUTH,
                     "password, xoauth2 or oauthbearer", &auth, error)
      || !read_string (reader, group, "User", &user, error)
      || !read_string (reader, group, "PinnedCertificateFile", &pinned_file, error)
      || !read_string (reader, group, "PinnedCertificate", &pinned_pem, error)
      || !read_boolean (reader, group, "AllowPlaintextOnLoopback", &allow_plaintext, error))
    return FALSE;

  if (host == NULL)
    return fail_at (reader, error, HERON_ACCOUNT_ERROR_INVALID, group, NULL,
                    _("[%s] has no Host"), group);

  heron_account_server_set_host (server, g_strstrip (host));
  heron_account_server_set_port (server, port);
  heron_account_server_set_security (server, security);
  heron_account_server_set_auth (server, auth);
  heron_account_server_set_user (server, user != NULL ? user : default_user);
  heron_account_server_set_pinned_certificate_file (server, pinned_file);
  heron_account_server_set_pinned_certificate_pem (server, pinned_pem);
  heron_account_server_set_allow_plaintext_on_loopback (server, allow_plaintext);

  if (!_heron_account_server_check (server, &bad_key, &check_error))
    return fail_at (reader, error, check_error->code, group, bad_key, "%s", check_error->message);

  return TRUE;
}

static gboolean
read_sync (Reader              *reader,
           HeronAccountConfig  *config,
           GError             **error)
{
  int folder_sync = heron_account_config_get_folder_sync (config);
  guint prefetch_days = heron_account_config_get_prefetch_days (config);
  g_auto(GStrv) folders = NULL;

  if (!read_enum (reader, GROUP_SYNC, "Folders", HERON_TYPE_ACCOUNT_FOLDER_SYNC,
                  "all, subscribed or list", &folder_sync, error)
      || !read_uint (reader, GROUP_SYNC, "PrefetchDays", 0, HERON_ACCOUNT_MAX_PREFETCH_DAYS,
                     &prefetch_days, error))
    return FALSE;

  if (g_key_file_has_key (reader->key_file, GROUP_SYNC, "FolderList", NULL))
    {
      g_autoptr(GError) local_error = NULL;
      gsize n = 0;

      folders = g_key_file_get_string_list (reader->key_file, GROUP_SYNC, "FolderList", &n,
                                            &local_error);
      if (local_error != NULL)
        return fail_at (reader, error, HERON_ACCOUNT_ERROR_SYNTAX, GROUP_SYNC, "FolderList",
                        _("%s has an invalid escape sequence: after a backslash only s, n, t, "
                          "r, “;” or another backslash may follow"), "FolderList");
    }

  heron_account_config_set_folder_sync (config, folder_sync);
  heron_account_config_set_prefetch_days (config, prefetch_days);
  heron_account_config_set_sync_folders (config, (const char * const *) folders);
  return TRUE;
}

static gboolean
read_folders (Reader              *reader,
              HeronAccountConfig  *config,
              GError             **error)
{
  for (guint i = 0; i < HERON_ACCOUNT_N_SPECIAL_FOLDERS; i++)
    {
      const char *key = heron_account_enum_to_string (HERON_TYPE_ACCOUNT_SPECIAL_FOLDER, i);
      g_autofree char *mailbox = NULL;

      if (!read_string (reader, GROUP_FOLDERS, key, &mailbox, error))
        return FALSE;
      heron_account_config_set_special_folder (config, i, mailbox);
    }
  return TRUE;
}

HeronAccountConfig *
_heron_account_config_load_file (const char  *path,
                                 const char  *id,
                                 GError     **error)
{
  g_autoptr(HeronAccountConfig) config = NULL;
  g_autoptr(GKeyFile) key_file = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GHashTable) group_lines = NULL;
  g_autoptr(GHashTable) key_lines = NULL;
  g_autofree char *text = NULL;
  g_autofree char *display_name = NULL;
  g_autofree char *goa_account_id = NULL;
  g_auto(GStrv) groups = NULL;
  HeronAccountIdentity *primary;
  gsize length = 0;
  Reader reader;

  g_assert (path != NULL);
  g_assert (id != NULL);

  if (!g_file_get_contents (path, &text, &length, &local_error))
    {
      g_set_error (error, local_error->domain, local_error->code, "%s", local_error->message);
      return NULL;
    }

  group_lines = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  key_lines = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  key_file = g_key_file_new ();
  reader = (Reader) {
    .path = path,
    .group_lines = group_lines,
    .key_lines = key_lines,
    .key_file = key_file,
  };

  if (memchr (text, '\0', length) != NULL)
    {
      g_set_error (error, HERON_ACCOUNT_ERROR, HERON_ACCOUNT_ERROR_SYNTAX,
                   _("%s: the file is not text (it holds a NUL byte)"), path);
      return NULL;
    }

  {
    g_autofree char *copy = g_strndup (text, length);

    if (!index_lines (&reader, copy, error))
      return NULL;
  }

  if (!g_key_file_load_from_data (key_file, text, length,
                                  G_KEY_FILE_KEEP_COMMENTS | G_KEY_FILE_KEEP_TRANSLATIONS,
                                  &local_error))
    {
      /* Our index accepted what GKeyFile refused: report its words, with the file. */
      g_set_error (error, HERON_ACCOUNT_ERROR, HERON_ACCOUNT_ERROR_SYNTAX, "%s: %s",
                   path, local_error->message);
      return NULL;
    }

  config = heron_account_config_new ();
  _heron_account_config_set_id (config, id);

  groups = g_key_file_get_groups (key_file, NULL);
  for (guint i = 0; groups[i] != NULL; i++)
    if (is_identity_group (groups[i]) && !read_identity (&reader, groups[i], config, error))
      return NULL;

  primary = heron_account_config_get_primary_identity (config);
  if (primary == NULL)
    {
      fail_at (&reader, error, HERON_ACCOUNT_ERROR_INVALID, NULL, NULL,
               _("the [%s] group is missing: an account needs a name and address to send as"),
               GROUP_IDENTITY);
      return NULL;
    }

  if (!read_server (&reader, GROUP_IMAP, heron_account_config_get_imap (config),
                    heron_account_identity_get_address (primary), error)
      || !read_server (&reader, GROUP_SMTP, heron_account_config_get_smtp (config),
                       heron_account_identity_get_address (primary), error)
      || !read_sync (&reader, config, error)
      || !read_folders (&reader, config, error)
      || !read_string (&reader, GROUP_ACCOUNT, "DisplayName", &display_name, error)
      || !read_string (&reader, GROUP_ACCOUNT, "GoaAccountId", &goa_account_id, error))
    return NULL;

  heron_account_config_set_display_name (config, display_name != NULL
                                                 ? display_name
                                                 : heron_account_identity_get_address (primary));
  heron_account_config_set_goa_account_id (config, goa_account_id);
  _heron_account_config_set_key_file (config, key_file);

  return g_steal_pointer (&config);
}

/* Writing. We update the key file the config was read from, so comments and keys of a newer
 * version survive; keys we own that are now unset are removed. */

static void
set_or_remove_string (GKeyFile   *key_file,
                      const char *group,
                      const char *key,
                      const char *value)
{
  if (value != NULL)
    g_key_file_set_string (key_file, group, key, value);
  else
    g_key_file_remove_key (key_file, group, key, NULL);
}

static void
write_server (GKeyFile           *key_file,
              const char         *group,
              HeronAccountServer *server)
{
  guint port = heron_account_server_get_port (server);

  g_key_file_set_string (key_file, group, "Host", heron_account_server_get_host (server));
  if (port != 0)
    g_key_file_set_integer (key_file, group, "Port", (int) port);
  else
    g_key_file_remove_key (key_file, group, "Port", NULL);
  g_key_file_set_string (key_file, group, "Security",
                         heron_account_enum_to_string (HERON_TYPE_ACCOUNT_SECURITY,
                                                       heron_account_server_get_security (server)));
  g_key_file_set_string (key_file, group, "User", heron_account_server_get_user (server));
  g_key_file_set_string (key_file, group, "Authentication",
                         heron_account_enum_to_string (HERON_TYPE_ACCOUNT_AUTH,
                                                       heron_account_server_get_auth (server)));
  set_or_remove_string (key_file, group, "PinnedCertificateFile",
                        heron_account_server_get_pinned_certificate_file (server));
  set_or_remove_string (key_file, group, "PinnedCertificate",
                        heron_account_server_get_pinned_certificate_pem (server));
  if (heron_account_server_get_allow_plaintext_on_loopback (server))
    g_key_file_set_boolean (key_file, group, "AllowPlaintextOnLoopback", TRUE);
  else
    g_key_file_remove_key (key_file, group, "AllowPlaintextOnLoopback", NULL);
}

static void
write_identities (GKeyFile           *key_file,
                  HeronAccountConfig *config)
{
  GListModel *identities = heron_account_config_get_identities (config);
  guint n = g_list_model_get_n_items (identities);
  g_auto(GStrv) groups = g_key_file_get_groups (key_file, NULL);
  g_autoptr(GPtrArray) existing = g_ptr_array_new ();
  guint next_number = 2;

  /* Identity groups already in the file keep their place and name, in order. */
  for (guint i = 0; groups[i] != NULL; i++)
    if (is_identity_group (groups[i]))
      g_ptr_array_add (existing, groups[i]);

  for (guint i = existing->len; i > n; i--)
    g_key_file_remove_group (key_file, g_ptr_array_index (existing, i - 1), NULL);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(HeronAccountIdentity) identity = g_list_model_get_item (identities, i);
      g_autofree char *new_group = NULL;
      const char *group;

      if (i < existing->len)
        group = g_ptr_array_index (existing, i);
      else if (i == 0)
        group = GROUP_IDENTITY;
      else
        {
          do
            {
              g_free (new_group);
              new_group = g_strdup_printf (GROUP_IDENTITY " %u", next_number++);
            }
          while (g_key_file_has_group (key_file, new_group));
          group = new_group;
        }

      set_or_remove_string (key_file, group, "Name", heron_account_identity_get_name (identity));
      g_key_file_set_string (key_file, group, "Address",
                             heron_account_identity_get_address (identity));
      set_or_remove_string (key_file, group, "ReplyTo",
                            heron_account_identity_get_reply_to (identity));
      set_or_remove_string (key_file, group, "Signature",
                            heron_account_identity_get_signature (identity));
    }
}

/* A key a person may have added to hold a password or token. Secrets live in the keyring only:
 * such keys are ignored when reading and dropped when writing. */
static gboolean
key_looks_secret (const char *key)
{
  g_autofree char *lower = g_ascii_strdown (key, -1);

  return strstr (lower, "password") != NULL || strstr (lower, "passwd") != NULL
         || strstr (lower, "secret") != NULL || strstr (lower, "token") != NULL;
}

static void
remove_secret_keys (GKeyFile *key_file)
{
  g_auto(GStrv) groups = g_key_file_get_groups (key_file, NULL);

  for (guint i = 0; groups[i] != NULL; i++)
    {
      g_auto(GStrv) keys = g_key_file_get_keys (key_file, groups[i], NULL, NULL);

      for (guint k = 0; keys != NULL && keys[k] != NULL; k++)
        if (key_looks_secret (keys[k]))
          g_key_file_remove_key (key_file, groups[i], keys[k], NULL);
    }
}

char *
_heron_account_config_to_data (HeronAccountConfig *self,
                               gsize              *out_length)
{
  GKeyFile *key_file = _heron_account_config_get_key_file (self);
  const char * const *folders;
  gboolean fresh = key_file == NULL;

  g_assert (HERON_IS_ACCOUNT_CONFIG (self));

  if (fresh)
    {
      g_autoptr(GKeyFile) new_key_file = g_key_file_new ();

      _heron_account_config_set_key_file (self, new_key_file);
      key_file = new_key_file;
    }

  /* A fresh file gets its groups in reading order: account, identities, servers, sync. */
  set_or_remove_string (key_file, GROUP_ACCOUNT, "DisplayName",
                        heron_account_config_get_display_name (self));
  set_or_remove_string (key_file, GROUP_ACCOUNT, "GoaAccountId",
                        heron_account_config_get_goa_account_id (self));
  if (fresh)
    g_key_file_set_comment (key_file, NULL, NULL,
                            " Heron account (docs/accounts.md). Passwords are not kept here: "
                            "they are in the keyring.", NULL);
  write_identities (key_file, self);
  write_server (key_file, GROUP_IMAP, heron_account_config_get_imap (self));
  write_server (key_file, GROUP_SMTP, heron_account_config_get_smtp (self));

  g_key_file_set_string (key_file, GROUP_SYNC, "Folders",
                         heron_account_enum_to_string (HERON_TYPE_ACCOUNT_FOLDER_SYNC,
                                                       heron_account_config_get_folder_sync (self)));
  folders = heron_account_config_get_sync_folders (self);
  if (folders[0] != NULL)
    g_key_file_set_string_list (key_file, GROUP_SYNC, "FolderList", folders,
                                g_strv_length ((char **) folders));
  else
    g_key_file_remove_key (key_file, GROUP_SYNC, "FolderList", NULL);
  g_key_file_set_integer (key_file, GROUP_SYNC, "PrefetchDays",
                          (int) heron_account_config_get_prefetch_days (self));

  for (guint i = 0; i < HERON_ACCOUNT_N_SPECIAL_FOLDERS; i++)
    set_or_remove_string (key_file, GROUP_FOLDERS,
                          heron_account_enum_to_string (HERON_TYPE_ACCOUNT_SPECIAL_FOLDER, i),
                          heron_account_config_get_special_folder (self, i));
  if (g_key_file_has_group (key_file, GROUP_FOLDERS))
    {
      g_auto(GStrv) keys = g_key_file_get_keys (key_file, GROUP_FOLDERS, NULL, NULL);

      if (keys == NULL || keys[0] == NULL)
        g_key_file_remove_group (key_file, GROUP_FOLDERS, NULL);
    }

  remove_secret_keys (key_file);

  return g_key_file_to_data (key_file, out_length, NULL);
}

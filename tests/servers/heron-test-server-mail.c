/* heron-test-server-mail.c: changing and reading mailboxes behind the client's back, through
 * doveadm and LMTP, and seeding them with the corpus of tests/servers/seed.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "heron-test-server-private.h"

#include <errno.h>
#include <stdarg.h>
#include <string.h>
#include <unistd.h>

/* doveadm's exit codes (sysexits.h) for "no such user" and "no such mailbox". */
#define DOVEADM_EX_NOUSER    67
#define DOVEADM_EX_NOTFOUND  68
#define DOVEADM_EX_DATAERR   65

#define LMTP_TIMEOUT_SECONDS 10

HeronTestUser *
_heron_test_server_find_user (HeronTestServer *self,
                              const char      *address)
{
  for (guint i = 0; i < self->users->len; i++)
    {
      HeronTestUser *user = g_ptr_array_index (self->users, i);
      if (g_ascii_strcasecmp (user->address, address) == 0)
        return user;
    }
  return NULL;
}

/* doveadm's output as text (it may be empty: a GBytes of size 0 has no data pointer). */
static char *
bytes_to_text (GBytes *bytes)
{
  gsize size = 0;
  const char *data = bytes != NULL ? g_bytes_get_data (bytes, &size) : NULL;

  return size > 0 ? g_utf8_make_valid (data, (gssize) size) : g_strdup ("");
}

/* Runs doveadm with the server's configuration. With tab, output is a header line and tab
 * separated rows. A missing user or mailbox becomes HERON_TEST_SERVER_ERROR_NOT_FOUND;
 * out_exit_status (nullable) receives the exit status when the command ran. */
static gboolean
doveadmv (HeronTestServer     *self,
          gboolean             tab,
          GBytes              *input,
          const char * const  *args,
          char               **out_stdout,
          int                 *out_exit_status,
          GError             **error)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GBytes) out = NULL;
  g_autoptr(GBytes) err = NULL;
  GSubprocessFlags flags = G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE;
  int status;

  g_ptr_array_add (argv, self->doveadm_program);
  g_ptr_array_add (argv, (gpointer) "-c");
  g_ptr_array_add (argv, self->dovecot[HERON_DOVECOT_CORE].conf);
  if (tab)
    {
      g_ptr_array_add (argv, (gpointer) "-f");
      g_ptr_array_add (argv, (gpointer) "tab");
    }
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);

  if (input != NULL)
    flags |= G_SUBPROCESS_FLAGS_STDIN_PIPE;
  process = g_subprocess_newv ((const char * const *) argv->pdata, flags, error);
  if (process == NULL)
    return FALSE;
  if (!g_subprocess_communicate (process, input, NULL, &out, &err, error))
    return FALSE;

  status = g_subprocess_get_if_exited (process) ? g_subprocess_get_exit_status (process) : 255;
  if (out_exit_status != NULL)
    *out_exit_status = status;

  if (status != 0)
    {
      g_autofree char *command = g_strjoinv (" ", (char **) args);
      g_autofree char *err_text = bytes_to_text (err);
      g_strstrip (err_text);
      g_set_error (error, HERON_TEST_SERVER_ERROR,
                   status == DOVEADM_EX_NOUSER || status == DOVEADM_EX_NOTFOUND
                     ? HERON_TEST_SERVER_ERROR_NOT_FOUND : HERON_TEST_SERVER_ERROR_COMMAND,
                   "doveadm %s: %s (status %d)", command,
                   *err_text != '\0' ? err_text : "failed", status);
      return FALSE;
    }

  if (out_stdout != NULL)
    *out_stdout = bytes_to_text (out);
  return TRUE;
}

static gboolean
doveadm (HeronTestServer  *self,
         gboolean          tab,
         char            **out_stdout,
         GError          **error,
         ...) G_GNUC_NULL_TERMINATED;

static gboolean
doveadm (HeronTestServer  *self,
         gboolean          tab,
         char            **out_stdout,
         GError          **error,
         ...)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  const char *arg;
  va_list ap;

  va_start (ap, error);
  while ((arg = va_arg (ap, const char *)) != NULL)
    g_ptr_array_add (args, (gpointer) arg);
  va_end (ap);
  g_ptr_array_add (args, NULL);

  return doveadmv (self, tab, NULL, (const char * const *) args->pdata, out_stdout, NULL, error);
}

gboolean
heron_test_server_doveadm (HeronTestServer     *self,
                           const char * const  *argv,
                           char               **out_stdout,
                           GError             **error)
{
  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (argv != NULL, FALSE);

  return doveadmv (self, FALSE, NULL, argv, out_stdout, NULL, error);
}

/* A table printed by "doveadm -f tab": the header's column names and the rows. */
typedef struct {
  GStrv      header;
  GPtrArray *rows;   /* GStrv */
} Table;

static void
table_clear (Table *table)
{
  g_clear_pointer (&table->header, g_strfreev);
  g_clear_pointer (&table->rows, g_ptr_array_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Table, table_clear)

static void
table_parse (Table      *table,
             const char *text)
{
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);

  table->rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      if (lines[i][0] == '\0')
        continue;
      if (table->header == NULL)
        table->header = g_strsplit (lines[i], "\t", -1);
      else
        g_ptr_array_add (table->rows, g_strsplit (lines[i], "\t", -1));
    }
  if (table->header == NULL)
    table->header = g_new0 (char *, 1);
}

/* The value of a column in a row, or "" if missing. */
static const char *
table_get (Table      *table,
           guint       row,
           const char *column)
{
  GStrv values = g_ptr_array_index (table->rows, row);

  for (guint i = 0; table->header[i] != NULL; i++)
    if (g_str_equal (table->header[i], column))
      return i < g_strv_length (values) ? values[i] : "";
  return "";
}

static gboolean
doveadm_table (HeronTestServer  *self,
               Table            *table,
               GError          **error,
               ...) G_GNUC_NULL_TERMINATED;

static gboolean
doveadm_table (HeronTestServer  *self,
               Table            *table,
               GError          **error,
               ...)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  g_autofree char *out = NULL;
  const char *arg;
  va_list ap;

  va_start (ap, error);
  while ((arg = va_arg (ap, const char *)) != NULL)
    g_ptr_array_add (args, (gpointer) arg);
  va_end (ap);
  g_ptr_array_add (args, NULL);

  if (!doveadmv (self, TRUE, NULL, (const char * const *) args->pdata, &out, NULL, error))
    return FALSE;
  table_parse (table, out);
  return TRUE;
}

static guint64
parse_number (const char *text)
{
  return g_ascii_strtoull (text, NULL, 10);
}

/* UIDs of a mailbox that match a search query (one argv element per word). */
static GArray *
search_uids (HeronTestServer     *self,
             const char          *user,
             const char          *mailbox,
             const char * const  *query,
             GError             **error)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  g_autofree char *out = NULL;
  g_auto(Table) table = { 0 };
  GArray *uids;

  g_ptr_array_add (args, (gpointer) "fetch");
  g_ptr_array_add (args, (gpointer) "-u");
  g_ptr_array_add (args, (gpointer) user);
  g_ptr_array_add (args, (gpointer) "uid");
  g_ptr_array_add (args, (gpointer) "mailbox");
  g_ptr_array_add (args, (gpointer) mailbox);
  for (guint i = 0; query[i] != NULL; i++)
    g_ptr_array_add (args, (gpointer) query[i]);
  g_ptr_array_add (args, NULL);

  if (!doveadmv (self, TRUE, NULL, (const char * const *) args->pdata, &out, NULL, error))
    return NULL;
  table_parse (&table, out);

  uids = g_array_sized_new (FALSE, FALSE, sizeof (guint32), table.rows->len);
  for (guint i = 0; i < table.rows->len; i++)
    {
      guint32 uid = (guint32) parse_number (table_get (&table, i, "uid"));
      if (uid != 0)
        g_array_append_val (uids, uid);
    }
  return uids;
}

static gint
compare_uids (gconstpointer a,
              gconstpointer b)
{
  guint32 x = *(const guint32 *) a;
  guint32 y = *(const guint32 *) b;
  return x < y ? -1 : x > y;
}

gboolean
heron_test_server_get_status (HeronTestServer         *self,
                              const char              *user,
                              const char              *mailbox,
                              HeronTestMailboxStatus  *out_status,
                              GError                 **error)
{
  g_auto(Table) table = { 0 };

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (user != NULL && mailbox != NULL, FALSE);
  g_return_val_if_fail (out_status != NULL, FALSE);

  if (!doveadm_table (self, &table, error, "mailbox", "status", "-u", user,
                      "messages unseen uidvalidity uidnext highestmodseq", mailbox, NULL))
    return FALSE;
  if (table.rows->len != 1)
    {
      g_set_error (error, HERON_TEST_SERVER_ERROR, HERON_TEST_SERVER_ERROR_NOT_FOUND,
                   "No mailbox “%s” for %s", mailbox, user);
      return FALSE;
    }

  out_status->messages = (guint) parse_number (table_get (&table, 0, "messages"));
  out_status->unseen = (guint) parse_number (table_get (&table, 0, "unseen"));
  out_status->uidvalidity = (guint32) parse_number (table_get (&table, 0, "uidvalidity"));
  out_status->uidnext = (guint32) parse_number (table_get (&table, 0, "uidnext"));
  out_status->highestmodseq = parse_number (table_get (&table, 0, "highestmodseq"));
  return TRUE;
}

/* The highest UID at or above `from`, or 0: what a save or move just added, since tests make
 * one change at a time. */
static guint32
newest_uid_from (HeronTestServer  *self,
                 const char       *user,
                 const char       *mailbox,
                 guint32           from,
                 GError          **error)
{
  g_autofree char *set = g_strdup_printf ("%u:*", from);
  const char * const query[] = { "uid", set, NULL };
  g_autoptr(GArray) uids = search_uids (self, user, mailbox, query, error);
  guint32 newest = 0;

  if (uids == NULL)
    return 0;
  for (guint i = 0; i < uids->len; i++)
    if (g_array_index (uids, guint32, i) >= from)
      newest = MAX (newest, g_array_index (uids, guint32, i));
  if (newest == 0)
    g_set_error (error, HERON_TEST_SERVER_ERROR, HERON_TEST_SERVER_ERROR_NOT_FOUND,
                 "The new message is not in “%s” of %s", mailbox, user);
  return newest;
}

static gboolean
check_uid (HeronTestServer  *self,
           const char       *user,
           const char       *mailbox,
           guint32           uid,
           GError          **error)
{
  g_autofree char *uid_text = g_strdup_printf ("%u", uid);
  const char * const query[] = { "uid", uid_text, NULL };
  g_autoptr(GArray) uids = NULL;

  /* A status first: a fetch in a missing mailbox is not an error for doveadm. */
  {
    HeronTestMailboxStatus status;
    if (!heron_test_server_get_status (self, user, mailbox, &status, error))
      return FALSE;
  }
  uids = search_uids (self, user, mailbox, query, error);
  if (uids == NULL)
    return FALSE;
  if (uids->len == 0 || g_array_index (uids, guint32, 0) != uid)
    {
      g_set_error (error, HERON_TEST_SERVER_ERROR, HERON_TEST_SERVER_ERROR_NOT_FOUND,
                   "No message with UID %u in “%s” of %s", uid, mailbox, user);
      return FALSE;
    }
  return TRUE;
}

static gboolean
change_flags (HeronTestServer  *self,
              const char       *how,
              const char       *user,
              const char       *mailbox,
              guint32           uid,
              const char       *flags,
              GError          **error)
{
  g_autofree char *uid_text = g_strdup_printf ("%u", uid);

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (user != NULL && mailbox != NULL && flags != NULL, FALSE);

  if (!check_uid (self, user, mailbox, uid, error))
    return FALSE;
  /* doveadm refuses an empty flag list; replacing with nothing is removing everything. */
  if (g_str_equal (how, "replace") && *flags == '\0')
    {
      g_auto(GStrv) current = heron_test_server_get_flags (self, user, mailbox, uid, error);
      g_autofree char *all = NULL;

      if (current == NULL)
        return FALSE;
      if (current[0] == NULL)
        return TRUE;
      all = g_strjoinv (" ", current);
      return doveadm (self, FALSE, NULL, error, "flags", "remove", "-u", user, all,
                      "mailbox", mailbox, "uid", uid_text, NULL);
    }
  return doveadm (self, FALSE, NULL, error, "flags", how, "-u", user, flags,
                  "mailbox", mailbox, "uid", uid_text, NULL);
}

gboolean
heron_test_server_set_flags (HeronTestServer  *self,
                             const char       *user,
                             const char       *mailbox,
                             guint32           uid,
                             const char       *flags,
                             GError          **error)
{
  return change_flags (self, "replace", user, mailbox, uid, flags, error);
}

gboolean
heron_test_server_add_flags (HeronTestServer  *self,
                             const char       *user,
                             const char       *mailbox,
                             guint32           uid,
                             const char       *flags,
                             GError          **error)
{
  return change_flags (self, "add", user, mailbox, uid, flags, error);
}

gboolean
heron_test_server_remove_flags (HeronTestServer  *self,
                                const char       *user,
                                const char       *mailbox,
                                guint32           uid,
                                const char       *flags,
                                GError          **error)
{
  return change_flags (self, "remove", user, mailbox, uid, flags, error);
}

gboolean
heron_test_server_expunge (HeronTestServer  *self,
                           const char       *user,
                           const char       *mailbox,
                           guint32           uid,
                           GError          **error)
{
  g_autofree char *uid_text = g_strdup_printf ("%u", uid);

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (user != NULL && mailbox != NULL, FALSE);

  if (!check_uid (self, user, mailbox, uid, error))
    return FALSE;
  return doveadm (self, FALSE, NULL, error, "expunge", "-u", user,
                  "mailbox", mailbox, "uid", uid_text, NULL);
}

gboolean
heron_test_server_move (HeronTestServer  *self,
                        const char       *user,
                        const char       *mailbox,
                        guint32           uid,
                        const char       *destination,
                        guint32          *out_new_uid,
                        GError          **error)
{
  g_autofree char *uid_text = g_strdup_printf ("%u", uid);
  HeronTestMailboxStatus before;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (user != NULL && mailbox != NULL && destination != NULL, FALSE);

  if (!check_uid (self, user, mailbox, uid, error) ||
      !heron_test_server_get_status (self, user, destination, &before, error))
    return FALSE;
  if (!doveadm (self, FALSE, NULL, error, "move", "-u", user, destination,
                "mailbox", mailbox, "uid", uid_text, NULL))
    return FALSE;

  if (out_new_uid != NULL)
    {
      *out_new_uid = newest_uid_from (self, user, destination, before.uidnext, error);
      return *out_new_uid != 0;
    }
  return TRUE;
}

guint32
heron_test_server_deliver (HeronTestServer  *self,
                           const char       *user,
                           const char       *mailbox,
                           GBytes           *message,
                           const char       *flags,
                           GError          **error)
{
  const char * const args[] = { "save", "-u", user, "-m", mailbox, NULL };
  HeronTestMailboxStatus before;
  guint32 uid;

  g_return_val_if_fail (self != NULL, 0);
  g_return_val_if_fail (user != NULL && mailbox != NULL && message != NULL, 0);

  if (!heron_test_server_get_status (self, user, mailbox, &before, error) ||
      !doveadmv (self, FALSE, message, args, NULL, NULL, error))
    return 0;

  uid = newest_uid_from (self, user, mailbox, before.uidnext, error);
  if (uid != 0 && flags != NULL && *flags != '\0' &&
      !heron_test_server_add_flags (self, user, mailbox, uid, flags, error))
    return 0;
  return uid;
}

gboolean
heron_test_server_create_mailbox (HeronTestServer  *self,
                                  const char       *user,
                                  const char       *mailbox,
                                  GError          **error)
{
  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (user != NULL && mailbox != NULL, FALSE);

  return doveadm (self, FALSE, NULL, error, "mailbox", "create", "-s", "-u", user, mailbox, NULL);
}

gboolean
heron_test_server_rename_mailbox (HeronTestServer  *self,
                                  const char       *user,
                                  const char       *mailbox,
                                  const char       *new_name,
                                  GError          **error)
{
  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (user != NULL && mailbox != NULL && new_name != NULL, FALSE);

  return doveadm (self, FALSE, NULL, error, "mailbox", "rename", "-s", "-u", user,
                  mailbox, new_name, NULL);
}

gboolean
heron_test_server_delete_mailbox (HeronTestServer  *self,
                                  const char       *user,
                                  const char       *mailbox,
                                  GError          **error)
{
  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (user != NULL && mailbox != NULL, FALSE);

  return doveadm (self, FALSE, NULL, error, "mailbox", "delete", "-s", "-u", user, mailbox, NULL);
}

GStrv
heron_test_server_get_flags (HeronTestServer  *self,
                             const char       *user,
                             const char       *mailbox,
                             guint32           uid,
                             GError          **error)
{
  g_autofree char *uid_text = g_strdup_printf ("%u", uid);
  g_auto(Table) table = { 0 };
  g_auto(GStrv) words = NULL;
  GPtrArray *flags;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (user != NULL && mailbox != NULL, NULL);

  if (!check_uid (self, user, mailbox, uid, error) ||
      !doveadm_table (self, &table, error, "fetch", "-u", user, "uid flags",
                      "mailbox", mailbox, "uid", uid_text, NULL))
    return NULL;
  if (table.rows->len != 1)
    {
      g_set_error (error, HERON_TEST_SERVER_ERROR, HERON_TEST_SERVER_ERROR_NOT_FOUND,
                   "No message with UID %u in “%s” of %s", uid, mailbox, user);
      return NULL;
    }

  words = g_strsplit (table_get (&table, 0, "flags"), " ", -1);
  flags = g_ptr_array_new ();
  for (guint i = 0; words[i] != NULL; i++)
    if (words[i][0] != '\0' && g_ascii_strcasecmp (words[i], "\\Recent") != 0)
      g_ptr_array_add (flags, g_strdup (words[i]));
  g_ptr_array_add (flags, NULL);
  return (GStrv) g_ptr_array_free (flags, FALSE);
}

GArray *
heron_test_server_list_uids (HeronTestServer  *self,
                             const char       *user,
                             const char       *mailbox,
                             GError          **error)
{
  const char * const query[] = { "all", NULL };
  HeronTestMailboxStatus status;
  GArray *uids;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (user != NULL && mailbox != NULL, NULL);

  if (!heron_test_server_get_status (self, user, mailbox, &status, error))
    return NULL;
  uids = search_uids (self, user, mailbox, query, error);
  if (uids != NULL)
    g_array_sort (uids, compare_uids);
  return uids;
}

GStrv
heron_test_server_list_mailboxes (HeronTestServer  *self,
                                  const char       *user,
                                  GError          **error)
{
  g_auto(Table) table = { 0 };
  GPtrArray *names;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (user != NULL, NULL);

  if (!doveadm_table (self, &table, error, "mailbox", "list", "-u", user, NULL))
    return NULL;

  names = g_ptr_array_new ();
  for (guint i = 0; i < table.rows->len; i++)
    g_ptr_array_add (names, g_strdup (table_get (&table, i, "mailbox")));
  g_ptr_array_add (names, NULL);
  return (GStrv) g_ptr_array_free (names, FALSE);
}

guint32
heron_test_server_find_message (HeronTestServer  *self,
                                const char       *user,
                                const char       *mailbox,
                                const char       *message_id,
                                GError          **error)
{
  g_autofree char *bracketed = NULL;
  g_autoptr(GArray) uids = NULL;
  HeronTestMailboxStatus status;
  guint32 newest = 0;

  g_return_val_if_fail (self != NULL, 0);
  g_return_val_if_fail (user != NULL && mailbox != NULL && message_id != NULL, 0);

  /* Header search is a substring match: with the brackets it matches this id only. */
  bracketed = message_id[0] == '<' ? g_strdup (message_id) : g_strdup_printf ("<%s>", message_id);
  {
    const char * const query[] = { "header", "Message-ID", bracketed, NULL };

    if (!heron_test_server_get_status (self, user, mailbox, &status, error))
      return 0;
    uids = search_uids (self, user, mailbox, query, error);
  }
  if (uids == NULL)
    return 0;
  for (guint i = 0; i < uids->len; i++)
    newest = MAX (newest, g_array_index (uids, guint32, i));
  return newest;
}

guint32
heron_test_server_wait_for_message (HeronTestServer  *self,
                                    const char       *user,
                                    const char       *mailbox,
                                    const char       *message_id,
                                    guint             timeout_ms,
                                    GError          **error)
{
  gint64 deadline;

  g_return_val_if_fail (self != NULL, 0);
  g_return_val_if_fail (user != NULL && mailbox != NULL && message_id != NULL, 0);

  deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;
  for (;;)
    {
      guint32 uid = heron_test_server_find_message (self, user, mailbox, message_id, error);

      if (uid != 0 || (error != NULL && *error != NULL))
        return uid;
      if (g_get_monotonic_time () >= deadline)
        {
          g_set_error (error, HERON_TEST_SERVER_ERROR, HERON_TEST_SERVER_ERROR_TIMEOUT,
                       "The message %s did not arrive in “%s” of %s within %u ms",
                       message_id, mailbox, user, timeout_ms);
          return 0;
        }
      g_usleep (20 * 1000);
    }
}

/* LMTP (RFC 2033), just enough to hand one message to Dovecot as an MTA would. */

static gboolean
lmtp_write (GOutputStream  *out,
            const char     *data,
            gsize           length,
            GError        **error)
{
  return g_output_stream_write_all (out, data, length, NULL, NULL, error);
}

/* Reads a (possibly multi-line) reply and checks its code class. */
static gboolean
lmtp_expect (GDataInputStream  *in,
             char               expected_class,
             const char        *what,
             GError           **error)
{
  for (;;)
    {
      g_autofree char *line = g_data_input_stream_read_line (in, NULL, NULL, error);

      if (line == NULL)
        {
          if (error != NULL && *error == NULL)
            g_set_error (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED,
                         "LMTP server closed the connection after %s", what);
          return FALSE;
        }
      g_strchomp (line);
      if (strlen (line) < 3)
        continue;
      if (line[3] == '-')
        continue;
      if (line[0] != expected_class)
        {
          g_set_error (error, HERON_TEST_SERVER_ERROR, HERON_TEST_SERVER_ERROR_REJECTED,
                       "LMTP %s: %s", what, line);
          return FALSE;
        }
      return TRUE;
    }
}

gboolean
heron_test_server_deliver_lmtp (HeronTestServer  *self,
                                const char       *recipient,
                                GBytes           *message,
                                GError          **error)
{
  g_autoptr(GSocketClient) client = NULL;
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GDataInputStream) in = NULL;
  g_autoptr(GString) data = NULL;
  g_autofree char *rcpt = NULL;
  GOutputStream *out;
  const char *bytes;
  gsize length;
  gboolean at_line_start = TRUE;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (recipient != NULL && message != NULL, FALSE);

  client = g_socket_client_new ();
  g_socket_client_set_timeout (client, LMTP_TIMEOUT_SECONDS);
  g_socket_client_set_enable_proxy (client, FALSE);
  connection = g_socket_client_connect_to_host (client, "127.0.0.1", self->lmtp_port, NULL, error);
  if (connection == NULL)
    return FALSE;
  in = g_data_input_stream_new (g_io_stream_get_input_stream (G_IO_STREAM (connection)));
  g_data_input_stream_set_newline_type (in, G_DATA_STREAM_NEWLINE_TYPE_LF);
  out = g_io_stream_get_output_stream (G_IO_STREAM (connection));

  /* The body, with CRLF line ends and dot-stuffing. */
  bytes = g_bytes_get_data (message, &length);
  data = g_string_sized_new (length + length / 32 + 8);
  for (gsize i = 0; i < length; i++)
    {
      char c = bytes[i];

      if (at_line_start && c == '.')
        g_string_append_c (data, '.');
      if (c == '\n' && (i == 0 || bytes[i - 1] != '\r'))
        g_string_append_c (data, '\r');
      g_string_append_c (data, c);
      at_line_start = c == '\n';
    }
  if (!at_line_start)
    g_string_append (data, "\r\n");
  g_string_append (data, ".\r\n");

  rcpt = g_strdup_printf ("RCPT TO:<%s>\r\n", recipient);
  return lmtp_expect (in, '2', "greeting", error) &&
         lmtp_write (out, "LHLO localhost\r\n", 16, error) &&
         lmtp_expect (in, '2', "LHLO", error) &&
         lmtp_write (out, "MAIL FROM:<>\r\n", 14, error) &&
         lmtp_expect (in, '2', "MAIL FROM", error) &&
         lmtp_write (out, rcpt, strlen (rcpt), error) &&
         lmtp_expect (in, '2', "RCPT TO", error) &&
         lmtp_write (out, "DATA\r\n", 6, error) &&
         lmtp_expect (in, '3', "DATA", error) &&
         lmtp_write (out, data->str, data->len, error) &&
         lmtp_expect (in, '2', "end of data", error) &&
         lmtp_write (out, "QUIT\r\n", 6, error);
}

/* Seeding. */

static gboolean
ensure_mailbox (HeronTestServer  *self,
                const char       *user,
                const char       *mailbox,
                GError          **error)
{
  g_autoptr(GError) local_error = NULL;
  const char * const args[] = { "mailbox", "create", "-s", "-u", user, mailbox, NULL };
  HeronTestMailboxStatus status;
  int exit_status = 0;

  /* Creating INBOX, or any mailbox that exists, fails with EX_DATAERR: that is fine. */
  if (!doveadmv (self, FALSE, NULL, args, NULL, &exit_status, &local_error) &&
      exit_status != DOVEADM_EX_DATAERR)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  /* Opening it makes sure it exists on disk (the special-use folders are created lazily). */
  return heron_test_server_get_status (self, user, mailbox, &status, error);
}

typedef struct {
  const char          *maildir;
  const HeronSeedSpec *spec;
  guint                first;
  guint                count;
  GError              *error;
} SeedChunk;

static gpointer
write_seed_chunk (gpointer data)
{
  SeedChunk *chunk = data;

  heron_seed_write_maildir_range (chunk->maildir, chunk->spec, chunk->first, chunk->count, NULL,
                                  &chunk->error);
  return NULL;
}

/* The seed corpus is CPU-bound to make: a big folder is written by one thread per processor,
 * each a contiguous chunk (the names still carry the dates, so the UIDs Dovecot gives them
 * afterwards follow the dates). */
static gboolean
write_seed (const char           *maildir,
            const HeronSeedSpec  *spec,
            GError              **error)
{
  guint n_threads = CLAMP (g_get_num_processors (), 1, 16);
  g_autofree SeedChunk *chunks = NULL;
  g_autofree GThread **threads = NULL;
  guint first = spec->first_index;
  gboolean ok = TRUE;

  if (spec->count < 2000 || n_threads == 1)
    return heron_seed_write_maildir (maildir, spec, error);

  chunks = g_new0 (SeedChunk, n_threads);
  threads = g_new0 (GThread *, n_threads);
  for (guint i = 0; i < n_threads; i++)
    {
      chunks[i].maildir = maildir;
      chunks[i].spec = spec;
      chunks[i].first = first;
      chunks[i].count = spec->count / n_threads + (i < spec->count % n_threads ? 1 : 0);
      first += chunks[i].count;
      threads[i] = g_thread_new ("heron-seed", write_seed_chunk, &chunks[i]);
    }
  for (guint i = 0; i < n_threads; i++)
    {
      g_thread_join (threads[i]);
      if (chunks[i].error != NULL)
        {
          if (ok)
            g_propagate_error (error, g_steal_pointer (&chunks[i].error));
          g_clear_error (&chunks[i].error);
          ok = FALSE;
        }
    }
  return ok;
}

gboolean
heron_test_server_seed (HeronTestServer      *self,
                        const char           *user,
                        const char           *mailbox,
                        const HeronSeedSpec  *spec,
                        GError              **error)
{
  g_autofree char *path = NULL;
  HeronSeedSpec owned_spec;
  gint64 start = g_get_monotonic_time ();

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (user != NULL && mailbox != NULL && spec != NULL, FALSE);

  if (!ensure_mailbox (self, user, mailbox, error) ||
      !doveadm (self, FALSE, &path, error, "mailbox", "path", "-u", user, mailbox, NULL))
    return FALSE;
  g_strstrip (path);
  if (!g_path_is_absolute (path))
    {
      g_set_error (error, HERON_TEST_SERVER_ERROR, HERON_TEST_SERVER_ERROR_COMMAND,
                   "doveadm mailbox path gave “%s” for “%s”", path, mailbox);
      return FALSE;
    }

  owned_spec = *spec;
  if (owned_spec.owner_address == NULL)
    owned_spec.owner_address = user;
  if (!write_seed (path, &owned_spec, error))
    return FALSE;
  g_debug ("seed %s/%s: %u files written after %.2f s", user, mailbox, spec->count,
           (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC);

  /* Written as root: give the files to the mail user. Only this folder's cur/ new/ tmp/, not
   * the subfolders that INBOX's Maildir holds. */
  if (self->as_root)
    {
      static const char * const subdirs[] = { "cur", "new", "tmp" };

      if (lchown (path, self->mail_uid, self->mail_gid) != 0)
        {
          int saved_errno = errno;
          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                       "Cannot give %s to the mail user: %s", path, g_strerror (saved_errno));
          return FALSE;
        }
      for (guint i = 0; i < G_N_ELEMENTS (subdirs); i++)
        {
          g_autofree char *sub = g_build_filename (path, subdirs[i], NULL);
          if (g_file_test (sub, G_FILE_TEST_IS_DIR) &&
              !_heron_test_server_chown_tree (sub, self->mail_uid, self->mail_gid, error))
            return FALSE;
        }
    }

  g_debug ("seed %s/%s: owner set after %.2f s", user, mailbox,
           (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC);

  /* Make Dovecot look now: it assigns UIDs to the new files, in the order of the times in their
   * names, and updates its indexes, so the next client sees them at once. */
  if (!doveadm (self, FALSE, NULL, error, "force-resync", "-u", user, mailbox, NULL))
    return FALSE;
  g_debug ("seed %s/%s: indexed after %.2f s", user, mailbox,
           (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC);
  return TRUE;
}

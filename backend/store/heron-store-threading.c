/* heron-store-threading.c: conversations across folders
 *
 * JWZ's threading (https://www.jwz.org/doc/threading.html, and RFC 5256's REFERENCES) links each
 * message to the messages its References and In-Reply-To name, through placeholders for the ones
 * not seen yet; a conversation is one connected set of that graph. We keep only what the message
 * list needs, the set each message belongs to, and keep it incrementally:
 *
 *   - thread_ids maps a 64-bit hash of every Message-ID seen, a message's own and every one it
 *     refers to (JWZ's placeholders), to a conversation;
 *   - a new message takes the conversation of any of its ids already known, and its unknown ids
 *     join that conversation;
 *   - when its ids are in several conversations, the message links them: all become the largest
 *     one, and only the rows of the smaller ones are rewritten (so a long first sync costs
 *     O(n log n) rewrites at worst, and a reply that arrives before its parent joins when the
 *     parent or any later message names both).
 *
 * Because only membership is kept, a cycle in References (a bug in some mailer) is harmless: it
 * just names ids of the same set. The table is per account, not per folder, so a reply in Sent
 * joins its thread in the inbox. A message with neither Message-ID nor references gets a
 * conversation of its own. Subjects are not used. A hash collision between two ids (probability
 * about n²/2⁶⁵) merges two conversations; nothing worse.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "heron-store-private.h"

/* A References header naming more ids than this is cut to its last ones (the nearest ancestors). */
#define MAX_REFERENCES 100
/* Longer "ids" are garbage; RFC 5322 lines are at most 998 octets. */
#define MAX_ID_LENGTH 998

static gboolean
valid_id (const char *start,
          gsize       length)
{
  if (length == 0 || length > MAX_ID_LENGTH)
    return FALSE;
  for (gsize i = 0; i < length; i++)
    if (g_ascii_isspace (start[i]) || start[i] == '<' || start[i] == '>')
      return FALSE;
  return TRUE;
}

char *
_heron_store_normalize_message_id (const char *message_id)
{
  const char *start, *end;

  if (message_id == NULL)
    return NULL;

  start = message_id;
  while (g_ascii_isspace (*start))
    start++;
  if (*start == '<')
    {
      start++;
      end = strchr (start, '>');
      if (end == NULL)
        end = start + strlen (start);
    }
  else
    end = start + strlen (start);
  while (end > start && g_ascii_isspace (end[-1]))
    end--;

  return valid_id (start, end - start) ? g_strndup (start, end - start) : NULL;
}

static void
add_unique (GPtrArray *ids,
            char      *id)
{
  for (guint i = 0; i < ids->len; i++)
    if (strcmp (ids->pdata[i], id) == 0)
      {
        g_free (id);
        return;
      }
  g_ptr_array_add (ids, id);
}

/* The <...> tokens of a header, in order. A header without angle brackets (some broken
 * mailers) is split at white space. */
static GPtrArray *
bracketed_ids (const char *header)
{
  GPtrArray *ids = g_ptr_array_new_with_free_func (g_free);
  const char *p = header;
  gboolean any_bracket = FALSE;

  if (header == NULL)
    return ids;

  while ((p = strchr (p, '<')) != NULL)
    {
      const char *end = strchr (p + 1, '>');

      any_bracket = TRUE;
      if (end == NULL)
        break;
      if (valid_id (p + 1, end - p - 1))
        g_ptr_array_add (ids, g_strndup (p + 1, end - p - 1));
      p = end + 1;
    }

  if (!any_bracket)
    {
      g_auto (GStrv) words = g_strsplit_set (header, " \t\r\n", -1);

      for (guint i = 0; words[i] != NULL; i++)
        if (valid_id (words[i], strlen (words[i])))
          g_ptr_array_add (ids, g_strdup (words[i]));
    }
  return ids;
}

GPtrArray *
_heron_store_parse_references (const char *in_reply_to,
                               const char *references,
                               guint       max)
{
  GPtrArray *ids = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GPtrArray) parents = bracketed_ids (in_reply_to);
  g_autoptr (GPtrArray) ancestors = bracketed_ids (references);

  /* In-Reply-To: the first thing that looks like a Message-ID (JWZ); some mailers add text */
  if (parents->len > 0 && ids->len < max)
    add_unique (ids, g_strdup (parents->pdata[0]));
  for (guint i = ancestors->len; i > 0 && ids->len < max; i--)
    add_unique (ids, g_strdup (ancestors->pdata[i - 1]));
  return ids;
}

static gint64
id_hash (const char *id)
{
  g_autoptr (GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);
  guint8 digest[32];
  gsize length = sizeof digest;
  guint64 value = 0;

  g_checksum_update (checksum, (const guchar *) id, -1);
  g_checksum_get_digest (checksum, digest, &length);
  for (guint i = 0; i < 8; i++)
    value = (value << 8) | digest[i];
  return (gint64) value;
}

static gint64
new_conversation (HeronStore *self,
                  gint64      n_ids,
                  GError    **error)
{
  g_autoptr (HeronStoreStmt) stmt = _heron_store_db_prepare (&self->db, "INSERT INTO conversations (n_ids) VALUES (?)", error);

  if (stmt == NULL)
    return 0;
  sqlite3_bind_int64 (stmt, 1, n_ids);
  if (!_heron_store_db_run (&self->db, stmt, error))
    return 0;
  return sqlite3_last_insert_rowid (self->db.handle);
}

typedef struct {
  gint64 id;
  gint64 n_ids;
} Conversation;

static gboolean
merge_into (HeronStore         *self,
            const Conversation *target,
            const Conversation *other,
            GError            **error)
{
  g_autoptr (HeronStoreStmt) ids = NULL;
  g_autoptr (HeronStoreStmt) messages = NULL;
  g_autoptr (HeronStoreStmt) gone = NULL;
  int rc;

  ids = _heron_store_db_prepare (&self->db, "UPDATE thread_ids SET conversation_id = ?1 WHERE conversation_id = ?2", error);
  if (ids == NULL)
    return FALSE;
  sqlite3_bind_int64 (ids, 1, target->id);
  sqlite3_bind_int64 (ids, 2, other->id);
  if (!_heron_store_db_run (&self->db, ids, error))
    return FALSE;

  messages = _heron_store_db_prepare (&self->db,
                                      "UPDATE messages SET conversation_id = ?1 WHERE conversation_id = ?2"
                                      " RETURNING folder_id, uid",
                                      error);
  if (messages == NULL)
    return FALSE;
  sqlite3_bind_int64 (messages, 1, target->id);
  sqlite3_bind_int64 (messages, 2, other->id);
  while ((rc = _heron_store_db_step (&self->db, messages, error)) == SQLITE_ROW)
    _heron_store_note_message (self, HERON_STORE_CHANGE_MESSAGES_CHANGED,
                               sqlite3_column_int64 (messages, 0), sqlite3_column_int64 (messages, 1));
  if (rc != SQLITE_DONE)
    return FALSE;

  gone = _heron_store_db_prepare (&self->db,
                                  "DELETE FROM conversations WHERE id = ?",
                                  error);
  if (gone == NULL)
    return FALSE;
  sqlite3_bind_int64 (gone, 1, other->id);
  return _heron_store_db_run (&self->db, gone, error);
}

/* The conversation of a message with these headers, linking the ones they join. */
static gint64
thread_ids (HeronStore *self,
            const char *message_id,
            const char *in_reply_to,
            const char *references,
            GError    **error)
{
  g_autoptr (GPtrArray) ids = _heron_store_parse_references (in_reply_to, references, MAX_REFERENCES);
  g_autofree char *own = _heron_store_normalize_message_id (message_id);
  g_autoptr (GArray) hashes = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr (GArray) missing = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr (GArray) found = g_array_new (FALSE, FALSE, sizeof (Conversation));
  Conversation target = { 0, -1 };

  if (own != NULL)
    add_unique (ids, g_steal_pointer (&own));
  if (ids->len == 0)
    return new_conversation (self, 0, error);

  for (guint i = 0; i < ids->len; i++)
    {
      gint64 hash = id_hash (ids->pdata[i]);
      gboolean seen = FALSE;

      for (guint j = 0; j < hashes->len && !seen; j++)
        seen = g_array_index (hashes, gint64, j) == hash;
      if (!seen)
        g_array_append_val (hashes, hash);
    }

  for (guint i = 0; i < hashes->len; i++)
    {
      g_autoptr (HeronStoreStmt) stmt = NULL;
      gint64 hash = g_array_index (hashes, gint64, i);
      gboolean known = FALSE;
      int rc;

      stmt = _heron_store_db_prepare (&self->db,
                                      "SELECT t.conversation_id, c.n_ids FROM thread_ids t"
                                      " JOIN conversations c ON c.id = t.conversation_id WHERE t.hash = ?",
                                      error);
      if (stmt == NULL)
        return 0;
      sqlite3_bind_int64 (stmt, 1, hash);
      rc = _heron_store_db_step (&self->db, stmt, error);
      if (rc == SQLITE_DONE)
        {
          g_array_append_val (missing, hash);
          continue;
        }
      if (rc != SQLITE_ROW)
        return 0;

      {
        Conversation conversation = { sqlite3_column_int64 (stmt, 0), sqlite3_column_int64 (stmt, 1) };

        for (guint j = 0; j < found->len && !known; j++)
          known = g_array_index (found, Conversation, j).id == conversation.id;
        if (!known)
          {
            g_array_append_val (found, conversation);
            if (conversation.n_ids > target.n_ids)
              target = conversation;
          }
      }
    }

  if (found->len == 0)
    {
      target.id = new_conversation (self, 0, error);
      target.n_ids = 0;
      if (target.id == 0)
        return 0;
    }

  for (guint i = 0; i < found->len; i++)
    {
      const Conversation *other = &g_array_index (found, Conversation, i);

      if (other->id == target.id)
        continue;
      if (!merge_into (self, &target, other, error))
        return 0;
      target.n_ids += other->n_ids;
    }

  for (guint i = 0; i < missing->len; i++)
    {
      g_autoptr (HeronStoreStmt) stmt = NULL;

      stmt = _heron_store_db_prepare (&self->db, "INSERT INTO thread_ids (hash, conversation_id) VALUES (?, ?)", error);
      if (stmt == NULL)
        return 0;
      sqlite3_bind_int64 (stmt, 1, g_array_index (missing, gint64, i));
      sqlite3_bind_int64 (stmt, 2, target.id);
      if (!_heron_store_db_run (&self->db, stmt, error))
        return 0;
    }
  target.n_ids += missing->len;

  if (missing->len > 0 || found->len > 1)
    {
      g_autoptr (HeronStoreStmt) stmt = NULL;

      stmt = _heron_store_db_prepare (&self->db, "UPDATE conversations SET n_ids = ? WHERE id = ?", error);
      if (stmt == NULL)
        return 0;
      sqlite3_bind_int64 (stmt, 1, target.n_ids);
      sqlite3_bind_int64 (stmt, 2, target.id);
      if (!_heron_store_db_run (&self->db, stmt, error))
        return 0;
    }

  return target.id;
}

gint64
_heron_store_thread_ids (HeronStore *self,
                         const char *message_id,
                         const char *in_reply_to,
                         const char *references,
                         GError    **error)
{
  return thread_ids (self, message_id, in_reply_to, references, error);
}

gboolean
_heron_store_thread_message (HeronStore *self,
                             gint64      row_id,
                             const char *message_id,
                             const char *in_reply_to,
                             const char *references,
                             GError    **error)
{
  g_autoptr (HeronStoreStmt) stmt = NULL;
  gint64 conversation;

  conversation = thread_ids (self, message_id, in_reply_to, references, error);
  if (conversation == 0)
    return FALSE;

  stmt = _heron_store_db_prepare (&self->db, "UPDATE messages SET conversation_id = ? WHERE id = ?", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, conversation);
  sqlite3_bind_int64 (stmt, 2, row_id);
  return _heron_store_db_run (&self->db, stmt, error);
}

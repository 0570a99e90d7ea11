/* heron-store-search.c: the full-text index and its queries
 *
 * message_fts is an FTS5 table over four columns: sender (From name and address, Sender,
 * Reply-To), recipients (To, Cc, Bcc), subject and body. Its rowid is the message row's id.
 * The metadata goes in when the message is inserted; the body text when the body becomes local
 * (the MIME layer passes plain text). The table keeps its own copy of the text, so a row is
 * deleted by rowid alone (a trigger does it when the message goes) and a copied message copies
 * its row; an external-content or contentless table would need the exact old text to delete.
 *
 * The tokenizer is unicode61 with remove_diacritics 2: case-folded, accents removed, so
 * "Müller", "müller" and "Muller" are the same word. There are no prefix indexes: measured on the
 * seed corpus, prefix='2 3' made adding body text 2.1 times slower and the index 37% larger.
 * Without them FTS5 merges the doclists of every term a prefix covers before the first hit
 * (100,000 messages: "th"* 106 ms, "the"* 45 ms, "meet"* 11 ms), so words shorter than three
 * characters match whole.
 *
 * Order: message row ids are (date << 21 | counter) (_heron_store_row_key()), so the index's
 * rowid order is date order and "ORDER BY rowid DESC LIMIT n" stops after n hits; sorting every
 * hit by a date column cost 40-110 ms for common words in 100,000 messages.
 *
 * User text never reaches FTS5 as syntax: it is cut into words and "quoted phrases", each
 * emitted as an FTS5 string ("..." with " doubled), bare words with a trailing * (prefix), all
 * joined with AND. A string is FTS5's literal form, so no input can form an operator, a column
 * filter or a syntax error. Words without a letter or digit are dropped, because an FTS5 string
 * that yields no token matches nothing and would empty the whole AND.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "heron-store-private.h"

/* Bounds for what a person types: more is pasted text, not a query */
#define MAX_TERMS 32
/* Shorter words match whole, not as prefixes */
#define MIN_PREFIX_CHARS 3
#define MAX_TERM_BYTES 256
/* The body text indexed per message: the start of a longer text is what people search for */
#define MAX_BODY_TEXT_BYTES (256 * 1024)
#define SNIPPET_CHARS 200

static void
append_joined (GString    *out,
               const char *text)
{
  if (text == NULL || *text == '\0')
    return;
  if (out->len > 0)
    g_string_append_c (out, ' ');
  g_string_append (out, text);
}

gboolean
_heron_store_fts_insert (HeronStore              *self,
                         gint64                   row_id,
                         const HeronStoreMessage *message,
                         GError                 **error)
{
  g_autoptr (HeronStoreStmt) stmt = NULL;
  g_autoptr (GString) sender = g_string_new (NULL);
  g_autoptr (GString) recipients = g_string_new (NULL);

  append_joined (sender, message->from_name);
  append_joined (sender, message->from_address);
  append_joined (sender, message->sender);
  append_joined (sender, message->reply_to);
  append_joined (recipients, message->to);
  append_joined (recipients, message->cc);
  append_joined (recipients, message->bcc);

  stmt = _heron_store_db_prepare (&self->db,
                                  "INSERT INTO message_fts (rowid, sender, recipients, subject) VALUES (?, ?, ?, ?)",
                                  error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, row_id);
  _heron_store_bind_text (stmt, 2, sender->str);
  _heron_store_bind_text (stmt, 3, recipients->str);
  _heron_store_bind_text (stmt, 4, message->subject != NULL ? message->subject : "");
  return _heron_store_db_run (&self->db, stmt, error);
}

/* The search entry of rows marked search_pending, made from their columns (the same text as
 * _heron_store_fts_insert() gives, up to spaces, which the tokenizer ignores). @where selects
 * the rows with ?1; the marks are cleared. Returns the rows indexed, -1 on error. */
#define PENDING_ENTRY_COLUMNS \
  "id, trim (coalesce (from_name, '') || ' ' || coalesce (from_address, '') || ' ' ||" \
  "          coalesce (sender, '') || ' ' || coalesce (reply_to, ''))," \
  "    trim (coalesce (to_list, '') || ' ' || coalesce (cc_list, '') || ' ' || coalesce (bcc_list, ''))," \
  "    coalesce (subject, '')"

static gint64
index_pending (HeronStore *self,
               const char *insert_sql,
               const char *clear_sql,
               gint64      arg,
               GError    **error)
{
  g_autoptr (HeronStoreStmt) stmt = NULL;
  gint64 n;

  stmt = _heron_store_db_prepare (&self->db, insert_sql, error);
  if (stmt == NULL)
    return -1;
  sqlite3_bind_int64 (stmt, 1, arg);
  if (!_heron_store_db_run (&self->db, stmt, error))
    return -1;
  n = sqlite3_changes (self->db.handle);
  g_clear_pointer (&stmt, _heron_store_stmt_release);

  stmt = _heron_store_db_prepare (&self->db, clear_sql, error);
  if (stmt == NULL)
    return -1;
  sqlite3_bind_int64 (stmt, 1, arg);
  if (!_heron_store_db_run (&self->db, stmt, error))
    return -1;
  return n;
}

void
heron_store_set_search_deferred (HeronStore *self,
                                 gboolean    deferred)
{
  g_return_if_fail (HERON_IS_STORE (self));
  self->search_deferred = deferred;
}

void
heron_store_set_bulk_insert (HeronStore *self,
                             gboolean    bulk)
{
  g_return_if_fail (HERON_IS_STORE (self));
  self->bulk_insert = bulk;
}

gint64
heron_store_index_pending_search (HeronStore *self,
                                  guint       limit,
                                  GError    **error)
{
  gint64 n;

  g_return_val_if_fail (HERON_IS_STORE (self), -1);
  g_return_val_if_fail (limit > 0, -1);
  g_return_val_if_fail (error == NULL || *error == NULL, -1);

  if (!_heron_store_begin (self, error))
    return -1;
  /* the same rows twice: the newest @limit marked ones, in one transaction */
  n = index_pending (self,
                     "INSERT INTO message_fts (rowid, sender, recipients, subject)"
                     " SELECT " PENDING_ENTRY_COLUMNS
                     " FROM messages WHERE search_pending ORDER BY id DESC LIMIT ?1",
                     "UPDATE messages SET search_pending = 0 WHERE id IN"
                     " (SELECT id FROM messages WHERE search_pending ORDER BY id DESC LIMIT ?1)",
                     limit, error);
  if (n < 0)
    {
      _heron_store_rollback (self);
      return -1;
    }
  return _heron_store_commit (self, error) ? n : -1;
}

gboolean
_heron_store_fts_set_body (HeronStore *self,
                           gint64      row_id,
                           const char *text,
                           GError    **error)
{
  g_autoptr (HeronStoreStmt) stmt = NULL;

  /* a row whose entry is still to be made gets it now, so that the body has one to go in */
  if (index_pending (self,
                     "INSERT INTO message_fts (rowid, sender, recipients, subject)"
                     " SELECT " PENDING_ENTRY_COLUMNS " FROM messages WHERE id = ?1 AND search_pending",
                     "UPDATE messages SET search_pending = 0 WHERE id = ?1 AND search_pending",
                     row_id, error) < 0)
    return FALSE;

  stmt = _heron_store_db_prepare (&self->db, "UPDATE message_fts SET body = ? WHERE rowid = ?", error);
  if (stmt == NULL)
    return FALSE;
  _heron_store_bind_text (stmt, 1, text);
  sqlite3_bind_int64 (stmt, 2, row_id);
  return _heron_store_db_run (&self->db, stmt, error);
}

gboolean
_heron_store_fts_copy (HeronStore *self,
                       gint64      from_row,
                       gint64      to_row,
                       GError    **error)
{
  g_autoptr (HeronStoreStmt) stmt = NULL;

  stmt = _heron_store_db_prepare (&self->db,
                                  "INSERT INTO message_fts (rowid, sender, recipients, subject, body)"
                                  " SELECT ?2, sender, recipients, subject, body FROM message_fts WHERE rowid = ?1",
                                  error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, from_row);
  sqlite3_bind_int64 (stmt, 2, to_row);
  return _heron_store_db_run (&self->db, stmt, error);
}

/* ---- Text ---------------------------------------------------------------------------------------- */

static char *
valid_utf8_prefix (const char *text,
                   gsize       max_bytes)
{
  g_autofree char *valid = g_utf8_make_valid (text, -1);
  gsize length = strlen (valid);

  if (length > max_bytes)
    {
      const char *end = valid + max_bytes;

      /* back to the start of the character that straddles the bound */
      while (end > valid && ((guchar) *end & 0xc0) == 0x80)
        end--;
      valid[end - valid] = '\0';
    }
  return g_steal_pointer (&valid);
}

char *
_heron_store_body_text_for_index (const char *text)
{
  if (text == NULL)
    return NULL;
  return valid_utf8_prefix (text, MAX_BODY_TEXT_BYTES);
}

/* The list's preview: the first lines that are not quoted ("> ...") and come before the
 * signature ("-- "), white space collapsed, at most SNIPPET_CHARS characters. */
char *
_heron_store_make_snippet (const char *text)
{
  g_autofree char *valid = NULL;
  g_auto (GStrv) lines = NULL;
  g_autoptr (GString) out = g_string_new (NULL);
  glong n_chars = 0;

  if (text == NULL)
    return NULL;

  /* Only the start matters: a snippet never needs more than a few KiB of text */
  valid = valid_utf8_prefix (text, 16 * 1024);
  lines = g_strsplit (valid, "\n", -1);

  for (guint i = 0; lines[i] != NULL && n_chars < SNIPPET_CHARS; i++)
    {
      const char *line = lines[i];

      if (g_str_has_prefix (line, "-- ") && (line[3] == '\0' || line[3] == '\r'))
        break;
      if (*line == '>')
        continue;

      for (const char *p = line; *p != '\0' && n_chars < SNIPPET_CHARS; p = g_utf8_next_char (p))
        {
          gunichar c = g_utf8_get_char (p);

          if (g_unichar_isspace (c) || g_unichar_iscntrl (c))
            {
              if (out->len > 0 && out->str[out->len - 1] != ' ')
                {
                  g_string_append_c (out, ' ');
                  n_chars++;
                }
              continue;
            }
          g_string_append_unichar (out, c);
          n_chars++;
        }
      if (out->len > 0 && out->str[out->len - 1] != ' ')
        {
          g_string_append_c (out, ' ');
          n_chars++;
        }
    }

  while (out->len > 0 && out->str[out->len - 1] == ' ')
    g_string_truncate (out, out->len - 1);
  return out->len > 0 ? g_string_free (g_steal_pointer (&out), FALSE) : NULL;
}

/* ---- Queries ------------------------------------------------------------------------------------- */

static gboolean
has_word_character (const char *text)
{
  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    if (g_unichar_isalnum (g_utf8_get_char (p)))
      return TRUE;
  return FALSE;
}

static void
append_term (GString    *query,
             const char *term,
             gsize       length,
             gboolean    prefix,
             guint      *n_terms)
{
  g_autofree char *copy = NULL;
  g_autofree char *bounded = NULL;

  if (*n_terms >= MAX_TERMS || length == 0)
    return;

  copy = g_strndup (term, length);
  bounded = valid_utf8_prefix (copy, MAX_TERM_BYTES);
  if (!has_word_character (bounded))
    return;
  /* FTS5 expands a prefix into every term it covers before returning a hit: "a*" or "th*"
   * would cost a tenth of a second and find nearly everything */
  if (g_utf8_strlen (bounded, -1) < MIN_PREFIX_CHARS)
    prefix = FALSE;

  if (query->len > 0)
    g_string_append (query, " AND ");
  g_string_append_c (query, '"');
  for (const char *p = bounded; *p != '\0'; p++)
    {
      if (*p == '"')
        g_string_append_c (query, '"');
      g_string_append_c (query, *p);
    }
  g_string_append_c (query, '"');
  if (prefix)
    g_string_append_c (query, '*');
  (*n_terms)++;
}

char *
_heron_store_search_build_query (const char *text)
{
  g_autoptr (GString) query = g_string_new (NULL);
  const char *p = text;
  guint n_terms = 0;

  if (text == NULL)
    return NULL;

  while (*p != '\0')
    {
      const char *start;

      if (g_ascii_isspace (*p))
        {
          p++;
          continue;
        }

      if (*p == '"')
        {
          /* a phrase, to the closing quote or the end */
          start = ++p;
          while (*p != '\0' && *p != '"')
            p++;
          append_term (query, start, p - start, FALSE, &n_terms);
          if (*p == '"')
            p++;
          continue;
        }

      start = p;
      while (*p != '\0' && *p != '"' && !g_ascii_isspace (*p))
        p++;
      append_term (query, start, p - start, TRUE, &n_terms);
    }

  return query->len > 0 ? g_string_free (g_steal_pointer (&query), FALSE) : NULL;
}

GArray *
_heron_store_db_search (HeronStoreDb *db,
                        const char   *text,
                        gint64        folder_id,
                        guint         limit,
                        GError      **error)
{
  g_autoptr (GArray) refs = g_array_new (FALSE, FALSE, sizeof (HeronStoreMessageRef));
  g_autoptr (HeronStoreStmt) stmt = NULL;
  g_autofree char *query = _heron_store_search_build_query (text);
  int rc;

  if (query == NULL || limit == 0)
    return g_steal_pointer (&refs);

  /* Row ids follow dates, so the index hands out the newest hits first and the scan stops at
   * the limit instead of sorting every hit. Two statements, so that each gets its plan. */
  if (folder_id != 0)
    stmt = _heron_store_db_prepare (db,
                                    "SELECT m.folder_id, m.uid FROM message_fts f JOIN messages m ON m.id = f.rowid"
                                    " WHERE message_fts MATCH ?1 AND m.folder_id = ?2"
                                    " ORDER BY f.rowid DESC LIMIT ?3",
                                    error);
  else
    stmt = _heron_store_db_prepare (db,
                                    "SELECT m.folder_id, m.uid FROM message_fts f JOIN messages m ON m.id = f.rowid"
                                    " WHERE message_fts MATCH ?1"
                                    " ORDER BY f.rowid DESC LIMIT ?3",
                                    error);
  if (stmt == NULL)
    return NULL;
  _heron_store_bind_text (stmt, 1, query);
  sqlite3_bind_int64 (stmt, 2, folder_id);
  sqlite3_bind_int64 (stmt, 3, limit);

  while ((rc = _heron_store_db_step (db, stmt, error)) == SQLITE_ROW)
    {
      HeronStoreMessageRef ref = { sqlite3_column_int64 (stmt, 0), sqlite3_column_int64 (stmt, 1) };

      g_array_append_val (refs, ref);
    }
  if (rc != SQLITE_DONE)
    return NULL;
  return g_steal_pointer (&refs);
}

GArray *
heron_store_search (HeronStore *self,
                    const char *query,
                    gint64      folder_id,
                    guint       limit,
                    GError    **error)
{
  g_return_val_if_fail (HERON_IS_STORE (self), NULL);
  g_return_val_if_fail (query != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return _heron_store_db_search (&self->db, query, folder_id, limit, error);
}

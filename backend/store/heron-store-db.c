/* heron-store-db.c: one SQLite connection with its prepared statements
 *
 * Both the writer and the readers are built on this: it opens the file with the settings of
 * docs/store.md, caches prepared statements (sqlite3_prepare_v3 with SQLITE_PREPARE_PERSISTENT:
 * every statement is prepared once per connection and reused), and turns SQLite result codes
 * into HERON_STORE_ERROR.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "heron-store-private.h"

/* How long a statement waits for another connection's lock before it fails with BUSY. The
 * writer holds the write lock for one batch at a time (milliseconds); readers never block the
 * writer in WAL mode, and the writer blocks readers only during a checkpoint's brief moments. */
#define BUSY_TIMEOUT_MS 10000

void
_heron_store_db_set_error (HeronStoreDb *db,
                           int           rc,
                           GError      **error)
{
  const char *message = db->handle != NULL ? sqlite3_errmsg (db->handle) : sqlite3_errstr (rc);
  const char *path = db->path != NULL ? db->path : "(no path)";
  HeronStoreError code;

  switch (rc & 0xff)
    {
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      code = HERON_STORE_ERROR_CORRUPT;
      break;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      code = HERON_STORE_ERROR_BUSY;
      break;
    case SQLITE_FULL:
      code = HERON_STORE_ERROR_NO_SPACE;
      break;
    case SQLITE_IOERR:
    case SQLITE_CANTOPEN:
    case SQLITE_PERM:
    case SQLITE_READONLY:
    case SQLITE_NOLFS:
      code = HERON_STORE_ERROR_IO;
      break;
    default:
      code = HERON_STORE_ERROR_FAILED;
      break;
    }

  if (code == HERON_STORE_ERROR_CORRUPT)
    g_set_error (error, HERON_STORE_ERROR, code,
                 "The mail cache %s is damaged (%s); it can be deleted and fetched again", path, message);
  else
    g_set_error (error, HERON_STORE_ERROR, code, "Mail cache %s: %s", path, message);
}

static void
finalize_stmt (gpointer data)
{
  sqlite3_finalize (data);
}

gboolean
_heron_store_db_open (HeronStoreDb *db,
                      const char   *path,
                      gboolean      readonly,
                      GError      **error)
{
  int flags = SQLITE_OPEN_NOMUTEX;
  int rc;

  g_assert (db->handle == NULL);

  db->owner = g_thread_self ();
  db->path = g_strdup (path);
  db->readonly = readonly;
  db->stmts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, finalize_stmt);

  flags |= readonly ? SQLITE_OPEN_READONLY : (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
  rc = sqlite3_open_v2 (path, &db->handle, flags, NULL);
  if (rc != SQLITE_OK)
    {
      _heron_store_db_set_error (db, rc, error);
      return FALSE;
    }

  sqlite3_extended_result_codes (db->handle, TRUE);
  sqlite3_busy_timeout (db->handle, BUSY_TIMEOUT_MS);
  return TRUE;
}

void
_heron_store_db_close (HeronStoreDb *db)
{
  g_clear_pointer (&db->stmts, g_hash_table_unref);
  if (db->handle != NULL)
    {
      int rc = sqlite3_close (db->handle);

      /* Every statement is in the cache, so nothing may keep the connection open. */
      if (rc != SQLITE_OK)
        g_critical ("Closing %s: %s", db->path, sqlite3_errstr (rc));
      db->handle = NULL;
    }
  g_clear_pointer (&db->path, g_free);
}

HeronStoreStmt *
_heron_store_db_prepare (HeronStoreDb *db,
                         const char   *sql,
                         GError      **error)
{
  sqlite3_stmt *stmt;
  int rc;

  HERON_STORE_DB_ASSERT_OWNER (db);
  g_assert (db->handle != NULL);

  stmt = g_hash_table_lookup (db->stmts, sql);
  if (stmt != NULL)
    {
      /* Released statements are reset; a busy one means two users of one SQL text at once. */
      g_assert (!sqlite3_stmt_busy (stmt));
      return stmt;
    }

  rc = sqlite3_prepare_v3 (db->handle, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, NULL);
  if (rc != SQLITE_OK)
    {
      _heron_store_db_set_error (db, rc, error);
      return NULL;
    }
  g_hash_table_insert (db->stmts, g_strdup (sql), stmt);
  return stmt;
}

void
_heron_store_stmt_release (HeronStoreStmt *stmt)
{
  sqlite3_reset (stmt);
  sqlite3_clear_bindings (stmt);
}

int
_heron_store_db_step (HeronStoreDb   *db,
                      HeronStoreStmt *stmt,
                      GError        **error)
{
  int rc;

  HERON_STORE_DB_ASSERT_OWNER (db);

  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    _heron_store_db_set_error (db, rc, error);
  return rc;
}

gboolean
_heron_store_db_run (HeronStoreDb   *db,
                     HeronStoreStmt *stmt,
                     GError        **error)
{
  int rc;

  while ((rc = _heron_store_db_step (db, stmt, error)) == SQLITE_ROW)
    ;
  return rc == SQLITE_DONE;
}

gboolean
_heron_store_db_exec (HeronStoreDb *db,
                      const char   *sql,
                      GError      **error)
{
  int rc;

  HERON_STORE_DB_ASSERT_OWNER (db);

  rc = sqlite3_exec (db->handle, sql, NULL, NULL, NULL);
  if (rc != SQLITE_OK)
    {
      _heron_store_db_set_error (db, rc, error);
      return FALSE;
    }
  return TRUE;
}

gint64
_heron_store_db_query_int (HeronStoreDb *db,
                           const char   *sql,
                           gint64        fallback,
                           GError      **error)
{
  g_autoptr (HeronStoreStmt) stmt = _heron_store_db_prepare (db, sql, error);
  int rc;

  if (stmt == NULL)
    return fallback;
  rc = _heron_store_db_step (db, stmt, error);
  if (rc == SQLITE_ROW && sqlite3_column_type (stmt, 0) != SQLITE_NULL)
    return sqlite3_column_int64 (stmt, 0);
  return fallback;
}

void
_heron_store_bind_text (HeronStoreStmt *stmt,
                        int             index,
                        const char     *text)
{
  if (text == NULL)
    sqlite3_bind_null (stmt, index);
  else
    sqlite3_bind_text (stmt, index, text, -1, SQLITE_STATIC);
}

void
_heron_store_bind_bytes (HeronStoreStmt *stmt,
                         int             index,
                         GBytes         *bytes)
{
  gsize size = 0;
  gconstpointer data;

  if (bytes == NULL)
    {
      sqlite3_bind_null (stmt, index);
      return;
    }
  data = g_bytes_get_data (bytes, &size);
  /* An empty blob is still a blob, not NULL */
  sqlite3_bind_blob64 (stmt, index, size > 0 ? data : "", size, SQLITE_STATIC);
}

char *
_heron_store_column_dup (HeronStoreStmt *stmt,
                         int             index)
{
  const unsigned char *text = sqlite3_column_text (stmt, index);

  return text != NULL ? g_strdup ((const char *) text) : NULL;
}

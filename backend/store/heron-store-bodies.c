/* heron-store-bodies.c: raw message sources: small ones in the database, large ones in files
 *
 * A source arrives as a stream of unknown final length (a literal may differ from RFC822.SIZE)
 * and may be 100 MB. The writer keeps the first 128 KiB in memory; a source that stays within
 * that (most mail: the median is about 8 KiB) is stored as a blob in source_data, in the same
 * transaction as the message that refers to it. A larger one spills to a temporary file as it
 * arrives and is then filed beside the database. Why both:
 *
 *   - Files for large sources: incremental blob I/O (sqlite3_blob_write) needs the blob's size
 *     fixed in advance; every byte written to the database goes through the WAL first and into
 *     the database again at the checkpoint; a deleted blob leaves free pages to vacuum. A file is
 *     written once, as it arrives, freed at once when unlinked, and read without SQLite.
 *   - Blobs for small sources: creating a file costs far more than writing 8 KiB (on the ext4
 *     of our test machine about 1.9 ms per file, against 26 µs on tmpfs), and 100,000 files are
 *     a burden for backups; SQLite's "Internal Versus External BLOBs" puts the break-even near
 *     100 KB for 4 KiB pages.
 *
 * Memory use is bounded by the 128 KiB buffer plus one write's chunk, whatever the size.
 *
 * Files: <database>-sources/<first two hex digits of the SHA-256>/<the other 62>, and tmp/ for
 * writes in progress. The sources table holds (hash, size, refs) for both kinds; triggers on
 * messages and journal keep refs, and after each commit the writer deletes rows (their blobs go
 * by ON DELETE CASCADE) and files that reached zero. The content hash names the source, so the
 * same message in two folders (or a copy made offline) is stored once.
 *
 * Crash safety: a file is complete before it gets its name (written to tmp/, then renamed), and
 * the database refers to it only after that; a crash leaves at worst an unreferenced file
 * (heron_store_collect_garbage() removes it) or an unreferenced row (removed at the next open).
 * Cache files are not fsynced (the server has them; a file whose size no longer matches after a
 * power loss reads as missing and is fetched again). A file the journal refers to (an offline
 * append) is fsynced, with its directories, before the journal entry commits; a blob is as
 * durable as the transaction that wrote it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <glib/gstdio.h>
#include <gio/gunixinputstream.h>
#include <nettle/sha2.h>

#include "heron-store-private.h"

/* Sources up to this size are kept in the database */
#define INLINE_MAX (128 * 1024)

struct _HeronStoreSourceWriter
{
  GObject     parent_instance;

  HeronStore *store;
  struct sha256_ctx sha;  /* nettle: SHA-NI where the CPU has it, 4-5x GChecksum's speed */
  GByteArray *buffer;    /* the source while it is small */
  GBytes     *inline_data;  /* ... and once closed */
  char       *tmp_path;  /* once it spilled to a file */
  int         fd;
  guint64     size;
  char       *hash;      /* set by close */
  gboolean    closed;
  gboolean    pinned;
  gboolean    synced;
};

G_DEFINE_FINAL_TYPE (HeronStoreSourceWriter, heron_store_source_writer, G_TYPE_OBJECT)

char *
_heron_store_sources_dir_for (const char *db_path)
{
  return g_strconcat (db_path, "-sources", NULL);
}

char *
_heron_store_source_path (const char *sources_dir,
                          const char *hash)
{
  char prefix[3] = { hash[0], hash[1], '\0' };

  return g_build_filename (sources_dir, prefix, hash + 2, NULL);
}

static void
unpin (HeronStoreSourceWriter *self)
{
  guint count;

  if (!self->pinned)
    return;
  self->pinned = FALSE;
  count = GPOINTER_TO_UINT (g_hash_table_lookup (self->store->pinned_sources, self->hash));
  if (count > 1)
    {
      g_hash_table_insert (self->store->pinned_sources, g_strdup (self->hash), GUINT_TO_POINTER (count - 1));
      return;
    }
  g_hash_table_remove (self->store->pinned_sources, self->hash);

  /* If a message took it and let it go again, the next commit deletes it; if none ever took
   * it, nothing in the database knows the file */
  self->store->maybe_garbage = TRUE;
  if (self->store->db.handle != NULL)
    {
      g_autoptr (HeronStoreStmt) stmt = _heron_store_db_prepare (&self->store->db, "SELECT 1 FROM sources WHERE hash = ?", NULL);

      if (stmt != NULL)
        {
          _heron_store_bind_text (stmt, 1, self->hash);
          if (_heron_store_db_step (&self->store->db, stmt, NULL) == SQLITE_DONE)
            {
              g_autofree char *path = _heron_store_source_path (self->store->sources_dir, self->hash);

              g_unlink (path);
            }
        }
    }
}

static void
heron_store_source_writer_finalize (GObject *object)
{
  HeronStoreSourceWriter *self = (HeronStoreSourceWriter *) object;

  if (self->fd >= 0)
    {
      close (self->fd);
      g_unlink (self->tmp_path);
    }
  unpin (self);
  g_clear_object (&self->store);
  g_clear_pointer (&self->buffer, g_byte_array_unref);
  g_clear_pointer (&self->inline_data, g_bytes_unref);
  g_clear_pointer (&self->tmp_path, g_free);
  g_clear_pointer (&self->hash, g_free);

  G_OBJECT_CLASS (heron_store_source_writer_parent_class)->finalize (object);
}

static void
heron_store_source_writer_class_init (HeronStoreSourceWriterClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = heron_store_source_writer_finalize;
}

static void
heron_store_source_writer_init (HeronStoreSourceWriter *self)
{
  self->fd = -1;
}

static gboolean
set_errno_error (GError    **error,
                 int         saved,
                 const char *what,
                 const char *path)
{
  g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), "%s %s: %s", what, path, g_strerror (saved));
  return FALSE;
}

HeronStoreSourceWriter *
heron_store_source_writer_new (HeronStore *store,
                               GError    **error)
{
  HeronStoreSourceWriter *self;

  g_return_val_if_fail (HERON_IS_STORE (store), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);
  HERON_STORE_DB_ASSERT_OWNER (&store->db);

  self = g_object_new (HERON_TYPE_STORE_SOURCE_WRITER, NULL);
  self->store = g_object_ref (store);
  sha256_init (&self->sha);
  self->buffer = g_byte_array_sized_new (16 * 1024);
  return self;
}

/* The source outgrew the buffer: continue in a temporary file. */
static gboolean
spill (HeronStoreSourceWriter *self,
       GError                **error)
{
  g_autofree char *tmp_dir = g_build_filename (self->store->sources_dir, "tmp", NULL);
  const guint8 *p;
  gsize left;

  self->tmp_path = g_build_filename (tmp_dir, "source-XXXXXX", NULL);
  self->fd = g_mkstemp_full (self->tmp_path, O_WRONLY | O_CLOEXEC, 0600);
  if (self->fd < 0 && errno == ENOENT)
    {
      /* the first large source (the directory is made when needed, not checked each time) */
      if (g_mkdir_with_parents (tmp_dir, 0700) != 0)
        return set_errno_error (error, errno, "Cannot create", tmp_dir);
      g_free (self->tmp_path);
      self->tmp_path = g_build_filename (tmp_dir, "source-XXXXXX", NULL);
      self->fd = g_mkstemp_full (self->tmp_path, O_WRONLY | O_CLOEXEC, 0600);
    }
  if (self->fd < 0)
    return set_errno_error (error, errno, "Cannot create", self->tmp_path);

  p = self->buffer->data;
  left = self->buffer->len;
  while (left > 0)
    {
      gssize n = write (self->fd, p, left);

      if (n < 0)
        {
          if (errno == EINTR)
            continue;
          return set_errno_error (error, errno, "Cannot write", self->tmp_path);
        }
      p += n;
      left -= n;
    }
  g_clear_pointer (&self->buffer, g_byte_array_unref);
  return TRUE;
}

gboolean
heron_store_source_writer_write (HeronStoreSourceWriter *self,
                                 const void             *data,
                                 gsize                   size,
                                 GError                **error)
{
  const char *p = data;
  gsize left = size;

  g_return_val_if_fail (HERON_IS_STORE_SOURCE_WRITER (self), FALSE);
  g_return_val_if_fail (!self->closed, FALSE);
  g_return_val_if_fail (data != NULL || size == 0, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (self->buffer != NULL && self->buffer->len + size <= INLINE_MAX)
    {
      g_byte_array_append (self->buffer, data, size);
      left = 0;
    }
  else if (self->buffer != NULL && !spill (self, error))
    return FALSE;

  while (left > 0)
    {
      gssize n = write (self->fd, p, MIN (left, (gsize) G_MAXSSIZE));

      if (n < 0)
        {
          if (errno == EINTR)
            continue;
          return set_errno_error (error, errno, "Cannot write", self->tmp_path);
        }
      p += n;
      left -= n;
    }
  sha256_update (&self->sha, size, data);
  self->size += size;
  return TRUE;
}

static gboolean
sync_path (const char *path,
           gboolean    directory,
           GError    **error)
{
  int fd = open (path, (directory ? O_RDONLY | O_DIRECTORY : O_RDONLY) | O_CLOEXEC);

  if (fd < 0)
    return set_errno_error (error, errno, "Cannot open", path);
  if (fsync (fd) != 0)
    {
      int saved = errno;

      close (fd);
      return set_errno_error (error, saved, "Cannot sync", path);
    }
  close (fd);
  return TRUE;
}

gboolean
heron_store_source_writer_close (HeronStoreSourceWriter *self,
                                 GError                **error)
{
  static const char hex[] = "0123456789abcdef";
  guint8 digest[SHA256_DIGEST_SIZE];
  g_autofree char *final_path = NULL;
  g_autofree char *dir = NULL;
  GStatBuf st;
  gboolean stored;
  int fd;

  g_return_val_if_fail (HERON_IS_STORE_SOURCE_WRITER (self), FALSE);
  g_return_val_if_fail (!self->closed, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);
  HERON_STORE_DB_ASSERT_OWNER (&self->store->db);

  self->closed = TRUE;
  sha256_digest (&self->sha, sizeof digest, digest);
  self->hash = g_malloc (2 * sizeof digest + 1);
  for (guint i = 0; i < sizeof digest; i++)
    {
      self->hash[2 * i] = hex[digest[i] >> 4];
      self->hash[2 * i + 1] = hex[digest[i] & 0xf];
    }
  self->hash[2 * sizeof digest] = '\0';

  if (self->buffer != NULL)
    {
      /* Small: it goes into the database with the message that takes it */
      self->inline_data = g_byte_array_free_to_bytes (g_steal_pointer (&self->buffer));
      return TRUE;
    }

  fd = self->fd;
  self->fd = -1;
  if (close (fd) != 0)
    {
      int saved = errno;

      g_unlink (self->tmp_path);
      return set_errno_error (error, saved, "Cannot write", self->tmp_path);
    }

  final_path = _heron_store_source_path (self->store->sources_dir, self->hash);

  /* Stored already (a copy in another folder): keep that one, unless a power loss left it
   * shorter than it should be. (Its directory is made when the rename says it is missing.) */
  stored = g_lstat (final_path, &st) == 0 && S_ISREG (st.st_mode) && (guint64) st.st_size == self->size;
  if (stored)
    g_unlink (self->tmp_path);
  else if (g_rename (self->tmp_path, final_path) != 0)
    {
      int saved = errno;

      if (saved == ENOENT)
        {
          dir = g_path_get_dirname (final_path);
          if (g_mkdir_with_parents (dir, 0700) != 0)
            {
              saved = errno;
              g_unlink (self->tmp_path);
              return set_errno_error (error, saved, "Cannot create", dir);
            }
          if (g_rename (self->tmp_path, final_path) == 0)
            saved = 0;
          else
            saved = errno;
        }
      if (saved != 0)
        {
          g_unlink (self->tmp_path);
          return set_errno_error (error, saved, "Cannot rename to", final_path);
        }
    }

  /* Until a message or journal entry refers to it, no garbage collection may take it */
  g_hash_table_insert (self->store->pinned_sources, g_strdup (self->hash),
                       GUINT_TO_POINTER (GPOINTER_TO_UINT (g_hash_table_lookup (self->store->pinned_sources, self->hash)) + 1));
  self->pinned = TRUE;
  return TRUE;
}

const char *
heron_store_source_writer_get_hash (HeronStoreSourceWriter *self)
{
  g_return_val_if_fail (HERON_IS_STORE_SOURCE_WRITER (self), NULL);

  return self->hash;
}

guint64
heron_store_source_writer_get_size (HeronStoreSourceWriter *self)
{
  g_return_val_if_fail (HERON_IS_STORE_SOURCE_WRITER (self), 0);

  return self->size;
}

gboolean
_heron_store_source_writer_register (HeronStoreSourceWriter *writer,
                                     HeronStore             *self,
                                     gboolean                durable,
                                     gint64                 *out_source_id,
                                     GError                **error)
{
  g_autoptr (HeronStoreStmt) stmt = NULL;

  g_assert (self->depth > 0);

  /* A second writer of the same cache (heron_store_open_extra_writer()) may store what the
   * first one's writer received: the source stays pinned in the first store until the writer
   * goes, which the caller does only after this transaction committed. */
  if (writer->hash == NULL ||
      (writer->store != self && g_strcmp0 (writer->store->sources_dir, self->sources_dir) != 0))
    {
      g_set_error (error, HERON_STORE_ERROR, HERON_STORE_ERROR_INVALID,
                   "The source writer was not closed, or belongs to another cache");
      return FALSE;
    }

  if (durable && writer->inline_data == NULL && !writer->synced)
    {
      g_autofree char *path = _heron_store_source_path (self->sources_dir, writer->hash);
      g_autofree char *dir = g_path_get_dirname (path);

      if (!sync_path (path, FALSE, error) || !sync_path (dir, TRUE, error) ||
          !sync_path (self->sources_dir, TRUE, error))
        return FALSE;
      writer->synced = TRUE;
    }

  stmt = _heron_store_db_prepare (&self->db,
                                  "INSERT INTO sources (hash, size) VALUES (?, ?)"
                                  " ON CONFLICT (hash) DO UPDATE SET size = excluded.size"
                                  " RETURNING id",
                                  error);
  if (stmt == NULL)
    return FALSE;
  _heron_store_bind_text (stmt, 1, writer->hash);
  sqlite3_bind_int64 (stmt, 2, (sqlite3_int64) writer->size);
  if (_heron_store_db_step (&self->db, stmt, error) != SQLITE_ROW)
    return FALSE;
  *out_source_id = sqlite3_column_int64 (stmt, 0);
  g_clear_pointer (&stmt, _heron_store_stmt_release);

  if (writer->inline_data != NULL)
    {
      stmt = _heron_store_db_prepare (&self->db,
                                      "INSERT INTO source_data (source_id, data) VALUES (?, ?)"
                                      " ON CONFLICT (source_id) DO NOTHING",
                                      error);
      if (stmt == NULL)
        return FALSE;
      sqlite3_bind_int64 (stmt, 1, *out_source_id);
      _heron_store_bind_bytes (stmt, 2, writer->inline_data);
      if (!_heron_store_db_run (&self->db, stmt, error))
        return FALSE;
    }
  return TRUE;
}

/* ---- Bodies of messages ------------------------------------------------------------------------ */

gboolean
_heron_store_store_text (HeronStore *self,
                         gint64      row_id,
                         const char *text,
                         GError    **error)
{
  g_autoptr (HeronStoreStmt) stmt = NULL;
  g_autofree char *indexed = _heron_store_body_text_for_index (text);
  g_autofree char *snippet = _heron_store_make_snippet (indexed);

  /* A body without text (only attachments, or a source that cannot be parsed) keeps the
   * snippet it had (the server's PREVIEW) but counts as indexed, so no text pass tries again */
  stmt = _heron_store_db_prepare (&self->db,
                                  "UPDATE messages SET snippet = COALESCE (NULLIF (?, ''), snippet), text_indexed = 1"
                                  " WHERE id = ?",
                                  error);
  if (stmt == NULL)
    return FALSE;
  _heron_store_bind_text (stmt, 1, snippet);
  sqlite3_bind_int64 (stmt, 2, row_id);
  if (!_heron_store_db_run (&self->db, stmt, error))
    return FALSE;

  /* The index last: see heron_store_upsert_messages() */
  return _heron_store_fts_set_body (self, row_id, indexed, error);
}

static gint64
existing_row (HeronStore *self,
              gint64      folder_id,
              gint64      uid,
              GError    **error)
{
  gint64 row = _heron_store_lookup_row (&self->db, folder_id, uid, error);

  if (row == 0)
    g_set_error (error, HERON_STORE_ERROR, HERON_STORE_ERROR_NOT_FOUND,
                 "No message %" G_GINT64_FORMAT " in folder %" G_GINT64_FORMAT " of the mail cache", uid, folder_id);
  return row;
}

gboolean
heron_store_set_body (HeronStore             *self,
                      gint64                  folder_id,
                      gint64                  uid,
                      HeronStoreSourceWriter *source,
                      const char             *text,
                      GError                **error)
{
  g_autoptr (HeronStoreStmt) stmt = NULL;
  gint64 row = 0, old_source_id = 0, source_id;
  int rc;

  g_return_val_if_fail (HERON_IS_STORE (self), FALSE);
  g_return_val_if_fail (HERON_IS_STORE_SOURCE_WRITER (source), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!_heron_store_begin (self, error))
    return FALSE;

  stmt = _heron_store_db_prepare (&self->db, "SELECT id, source_id FROM messages WHERE folder_id = ? AND uid = ?", error);
  if (stmt == NULL)
    goto failed;
  sqlite3_bind_int64 (stmt, 1, folder_id);
  sqlite3_bind_int64 (stmt, 2, uid);
  rc = _heron_store_db_step (&self->db, stmt, error);
  if (rc == SQLITE_ROW)
    {
      row = sqlite3_column_int64 (stmt, 0);
      old_source_id = sqlite3_column_int64 (stmt, 1);
    }
  else if (rc == SQLITE_DONE)
    g_set_error (error, HERON_STORE_ERROR, HERON_STORE_ERROR_NOT_FOUND,
                 "No message %" G_GINT64_FORMAT " in folder %" G_GINT64_FORMAT " of the mail cache", uid, folder_id);
  g_clear_pointer (&stmt, _heron_store_stmt_release);
  if (row <= 0 || !_heron_store_source_writer_register (source, self, FALSE, &source_id, error))
    goto failed;

  stmt = _heron_store_db_prepare (&self->db, "UPDATE messages SET source_id = ?, body_local = 1 WHERE id = ?", error);
  if (stmt == NULL)
    goto failed;
  sqlite3_bind_int64 (stmt, 1, source_id);
  sqlite3_bind_int64 (stmt, 2, row);
  if (!_heron_store_db_run (&self->db, stmt, error))
    goto failed;
  g_clear_pointer (&stmt, _heron_store_stmt_release);

  if (text != NULL && !_heron_store_store_text (self, row, text, error))
    goto failed;

  /* The source it replaced, if any, may have lost its last reference. (Only then: a second
   * writer, which stores prefetched bodies of messages that had none, must not collect raw
   * sources: its pins are not the first writer's. A source it replaced waits for the first
   * writer's next collection, at the latest when the cache is opened again.) */
  if (old_source_id != 0 && old_source_id != source_id)
    self->maybe_garbage = TRUE;
  _heron_store_note_message (self, HERON_STORE_CHANGE_MESSAGES_CHANGED, folder_id, uid);
  return _heron_store_commit (self, error);

failed:
  g_clear_pointer (&stmt, _heron_store_stmt_release);
  _heron_store_rollback (self);
  return FALSE;
}

gboolean
heron_store_add_bodies (HeronStore                    *self,
                        gint64                         folder_id,
                        const gint64                  *uids,
                        HeronStoreSourceWriter * const *sources,
                        guint                          n,
                        GArray                        *stored,
                        GError                       **error)
{
  g_return_val_if_fail (HERON_IS_STORE (self), FALSE);
  g_return_val_if_fail (uids != NULL || n == 0, FALSE);
  g_return_val_if_fail (sources != NULL || n == 0, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);
  for (guint i = 0; i < n; i++)
    g_return_val_if_fail (HERON_IS_STORE_SOURCE_WRITER (sources[i]), FALSE);

  if (!_heron_store_begin (self, error))
    return FALSE;

  for (guint i = 0; i < n; i++)
    {
      g_autoptr (HeronStoreStmt) stmt = NULL;
      gint64 row, source_id;
      int rc;

      stmt = _heron_store_db_prepare (&self->db,
                                      "SELECT id FROM messages WHERE folder_id = ? AND uid = ? AND source_id IS NULL",
                                      error);
      if (stmt == NULL)
        goto failed;
      sqlite3_bind_int64 (stmt, 1, folder_id);
      sqlite3_bind_int64 (stmt, 2, uids[i]);
      rc = _heron_store_db_step (&self->db, stmt, error);
      if (rc == SQLITE_DONE)
        continue;  /* gone, or local already (an on-demand fetch was first) */
      if (rc != SQLITE_ROW)
        goto failed;
      row = sqlite3_column_int64 (stmt, 0);
      g_clear_pointer (&stmt, _heron_store_stmt_release);

      if (!_heron_store_source_writer_register (sources[i], self, FALSE, &source_id, error))
        goto failed;
      stmt = _heron_store_db_prepare (&self->db, "UPDATE messages SET source_id = ?, body_local = 1 WHERE id = ?", error);
      if (stmt == NULL)
        goto failed;
      sqlite3_bind_int64 (stmt, 1, source_id);
      sqlite3_bind_int64 (stmt, 2, row);
      if (!_heron_store_db_run (&self->db, stmt, error))
        goto failed;
      _heron_store_note_message (self, HERON_STORE_CHANGE_MESSAGES_CHANGED, folder_id, uids[i]);
      if (stored != NULL)
        g_array_append_val (stored, uids[i]);
    }
  /* (nothing replaced, so no source lost its last reference: no garbage to collect) */
  return _heron_store_commit (self, error);

failed:
  _heron_store_rollback (self);
  if (stored != NULL)
    g_array_set_size (stored, 0);
  return FALSE;
}

gboolean
heron_store_set_body_text (HeronStore *self,
                           gint64      folder_id,
                           gint64      uid,
                           const char *text,
                           GError    **error)
{
  gint64 row;

  g_return_val_if_fail (HERON_IS_STORE (self), FALSE);
  g_return_val_if_fail (text != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!_heron_store_begin (self, error))
    return FALSE;

  row = existing_row (self, folder_id, uid, error);
  if (row <= 0 || !_heron_store_store_text (self, row, text, error))
    {
      _heron_store_rollback (self);
      return FALSE;
    }
  _heron_store_note_message (self, HERON_STORE_CHANGE_MESSAGES_CHANGED, folder_id, uid);
  return _heron_store_commit (self, error);
}

/* The server's snippet for a message whose body text is not indexed yet (the body's own text,
 * once local, makes a better one): 1 when the row changed, 0 when not, -1 on error. */
int
_heron_store_set_snippet (HeronStore *self,
                          gint64      folder_id,
                          gint64      uid,
                          const char *snippet,
                          GError    **error)
{
  g_autoptr (HeronStoreStmt) stmt = NULL;

  if (snippet == NULL || snippet[0] == '\0')
    return 0;
  stmt = _heron_store_db_prepare (&self->db,
                                  "UPDATE messages SET snippet = ?"
                                  " WHERE folder_id = ? AND uid = ? AND NOT text_indexed"
                                  " AND snippet IS NOT ?",
                                  error);
  if (stmt == NULL)
    return -1;
  _heron_store_bind_text (stmt, 1, snippet);
  sqlite3_bind_int64 (stmt, 2, folder_id);
  sqlite3_bind_int64 (stmt, 3, uid);
  _heron_store_bind_text (stmt, 4, snippet);
  if (!_heron_store_db_run (&self->db, stmt, error))
    return -1;
  if (sqlite3_changes (self->db.handle) == 0)
    return 0;
  _heron_store_note_message (self, HERON_STORE_CHANGE_MESSAGES_CHANGED, folder_id, uid);
  return 1;
}

gboolean
heron_store_set_snippets (HeronStore               *self,
                          gint64                    folder_id,
                          HeronStoreMessage * const *messages,
                          guint                     n_messages,
                          GError                  **error)
{
  g_return_val_if_fail (HERON_IS_STORE (self), FALSE);
  g_return_val_if_fail (messages != NULL || n_messages == 0, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (n_messages == 0)
    return TRUE;
  if (!_heron_store_begin (self, error))
    return FALSE;

  for (guint i = 0; i < n_messages; i++)
    if (_heron_store_set_snippet (self, folder_id, messages[i]->uid, messages[i]->snippet, error) < 0)
      goto failed;
  return _heron_store_commit (self, error);

failed:
  _heron_store_rollback (self);
  return FALSE;
}

GArray *
heron_store_get_uids_without_body (HeronStore *self,
                                   gint64      folder_id,
                                   gint64      since,
                                   guint       limit,
                                   GError    **error)
{
  g_autoptr (HeronStoreStmt) stmt = NULL;
  g_autoptr (GArray) uids = g_array_new (FALSE, FALSE, sizeof (gint64));
  int rc;

  g_return_val_if_fail (HERON_IS_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);
  HERON_STORE_DB_ASSERT_OWNER (&self->db);

  /* messages_by_date walks the folder newest first */
  stmt = _heron_store_db_prepare (&self->db,
                                  "SELECT uid FROM messages WHERE folder_id = ? AND uid > 0 AND NOT body_local"
                                  " AND date >= ? ORDER BY date DESC, uid DESC LIMIT ?",
                                  error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, folder_id);
  sqlite3_bind_int64 (stmt, 2, since);
  sqlite3_bind_int64 (stmt, 3, limit > 0 ? (sqlite3_int64) limit : -1);
  while ((rc = _heron_store_db_step (&self->db, stmt, error)) == SQLITE_ROW)
    {
      gint64 uid = sqlite3_column_int64 (stmt, 0);
      g_array_append_val (uids, uid);
    }
  if (rc != SQLITE_DONE)
    return NULL;
  return g_steal_pointer (&uids);
}

gboolean
heron_store_in_transaction (HeronStore *self)
{
  g_return_val_if_fail (HERON_IS_STORE (self), FALSE);
  HERON_STORE_DB_ASSERT_OWNER (&self->db);

  return self->depth > 0;
}

GInputStream *
_heron_store_db_open_source (HeronStoreDb *db,
                             const char   *sources_dir,
                             const char   *sql,
                             gint64        key1,
                             gint64        key2,
                             GCancellable *cancellable,
                             GError      **error)
{
  g_autoptr (HeronStoreStmt) stmt = NULL;
  g_autofree char *path = NULL;
  guint64 size;
  struct stat st;
  int rc, fd;

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;

  stmt = _heron_store_db_prepare (db, sql, error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, key1);
  sqlite3_bind_int64 (stmt, 2, key2);
  rc = _heron_store_db_step (db, stmt, error);
  if (rc == SQLITE_DONE)
    {
      g_set_error (error, HERON_STORE_ERROR, HERON_STORE_ERROR_NOT_FOUND, "The message source is not in the mail cache");
      return NULL;
    }
  if (rc != SQLITE_ROW)
    return NULL;
  size = sqlite3_column_int64 (stmt, 1);
  if (sqlite3_column_type (stmt, 2) != SQLITE_NULL)
    {
      /* Small: at most 128 KiB in memory */
      g_autoptr (GBytes) bytes = g_bytes_new (sqlite3_column_blob (stmt, 2), sqlite3_column_bytes (stmt, 2));

      return g_memory_input_stream_new_from_bytes (bytes);
    }
  path = _heron_store_source_path (sources_dir, (const char *) sqlite3_column_text (stmt, 0));

  fd = g_open (path, O_RDONLY | O_CLOEXEC, 0);
  if (fd < 0)
    {
      int saved = errno;

      g_set_error (error, HERON_STORE_ERROR, HERON_STORE_ERROR_NOT_FOUND,
                   "The message source %s cannot be read: %s", path, g_strerror (saved));
      return NULL;
    }
  if (fstat (fd, &st) != 0 || (guint64) st.st_size != size)
    {
      close (fd);
      g_set_error (error, HERON_STORE_ERROR, HERON_STORE_ERROR_NOT_FOUND,
                   "The message source %s is damaged (its size is wrong)", path);
      return NULL;
    }
  return g_unix_input_stream_new (fd, TRUE);
}

GInputStream *
heron_store_open_source (HeronStore   *self,
                         gint64        folder_id,
                         gint64        uid,
                         GCancellable *cancellable,
                         GError      **error)
{
  g_return_val_if_fail (HERON_IS_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return _heron_store_db_open_source (&self->db, self->sources_dir,
                                      "SELECT s.hash, s.size, d.data FROM messages m JOIN sources s ON s.id = m.source_id"
                                      " LEFT JOIN source_data d ON d.source_id = s.id"
                                      " WHERE m.folder_id = ? AND m.uid = ?",
                                      folder_id, uid, cancellable, error);
}

/* ---- Garbage ------------------------------------------------------------------------------------ */

void
_heron_store_sources_collect (HeronStore *self)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr (GPtrArray) hashes = g_ptr_array_new_with_free_func (g_free);

  if (!self->maybe_garbage || self->depth > 0 || self->db.handle == NULL)
    return;
  self->maybe_garbage = FALSE;

  {
    g_autoptr (HeronStoreStmt) stmt = _heron_store_db_prepare (&self->db, "SELECT id, hash FROM sources WHERE refs <= 0", &error);
    int rc;

    if (stmt == NULL)
      goto failed;
    while ((rc = _heron_store_db_step (&self->db, stmt, &error)) == SQLITE_ROW)
      {
        const char *hash = (const char *) sqlite3_column_text (stmt, 1);
        gint64 id = sqlite3_column_int64 (stmt, 0);

        if (g_hash_table_contains (self->pinned_sources, hash))
          continue;
        g_array_append_val (ids, id);
        g_ptr_array_add (hashes, g_strdup (hash));
      }
    if (rc != SQLITE_DONE)
      goto failed;
  }
  if (ids->len == 0)
    return;

  /* Files first: a crash after this leaves rows without files, which the next pass removes;
   * the other order could leave files nothing knows about */
  for (guint i = 0; i < hashes->len; i++)
    {
      g_autofree char *path = _heron_store_source_path (self->sources_dir, hashes->pdata[i]);

      if (g_unlink (path) != 0 && errno != ENOENT)
        g_warning ("Cannot delete %s: %s", path, g_strerror (errno));
    }

  if (!_heron_store_begin (self, &error))
    goto failed;
  for (guint i = 0; i < ids->len; i++)
    {
      g_autoptr (HeronStoreStmt) stmt = _heron_store_db_prepare (&self->db, "DELETE FROM sources WHERE id = ? AND refs <= 0", &error);

      if (stmt == NULL)
        {
          _heron_store_rollback (self);
          goto failed;
        }
      sqlite3_bind_int64 (stmt, 1, g_array_index (ids, gint64, i));
      if (!_heron_store_db_run (&self->db, stmt, &error))
        {
          _heron_store_rollback (self);
          goto failed;
        }
    }
  if (!_heron_store_commit (self, &error))
    goto failed;
  return;

failed:
  g_warning ("Cannot delete unreferenced message sources: %s", error->message);
}

void
_heron_store_sources_clean_tmp (HeronStore *self)
{
  g_autofree char *tmp_dir = g_build_filename (self->sources_dir, "tmp", NULL);
  g_autoptr (GDir) dir = g_dir_open (tmp_dir, 0, NULL);
  const char *name;

  if (dir == NULL)
    return;
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (tmp_dir, name, NULL);

      g_unlink (path);
    }
}

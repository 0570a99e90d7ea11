/* heron-store.c: opening the cache, transactions, and reporting what changed
 *
 * The writer is one SQLite connection in WAL mode with synchronous=NORMAL: a commit is durable
 * against a crash of Heron (the WAL is in the kernel's page cache), and the database stays
 * consistent after a power loss, but the last commits before a power loss may roll back. That is
 * right for what the server can give us again (every message summary, flag and body). The
 * journal of offline operations cannot be fetched again, so its writes commit with
 * synchronous=FULL (an fsync of the WAL before COMMIT returns): docs/store.md, "Durability".
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <errno.h>
#include <string.h>
#include <glib/gstdio.h>

#include "heron-store-private.h"

/* ---- What a transaction changed --------------------------------------------------------------- */

typedef struct {
  GHashTable *added;    /* gint64 uid set */
  GHashTable *changed;
  GHashTable *removed;
} FolderDelta;

struct _HeronStoreChangeSet {
  gboolean    folder_list;
  gboolean    journal;
  GHashTable *folders;  /* gint64 folder id -> FolderDelta */
};

static GHashTable *
uid_set_new (void)
{
  return g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
}

static void
folder_delta_free (gpointer data)
{
  FolderDelta *delta = data;

  g_hash_table_unref (delta->added);
  g_hash_table_unref (delta->changed);
  g_hash_table_unref (delta->removed);
  g_free (delta);
}

static HeronStoreChangeSet *
change_set_new (void)
{
  HeronStoreChangeSet *set = g_new0 (HeronStoreChangeSet, 1);

  set->folders = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, folder_delta_free);
  return set;
}

static void
change_set_free (gpointer data)
{
  HeronStoreChangeSet *set = data;

  g_hash_table_unref (set->folders);
  g_free (set);
}

static FolderDelta *
change_set_folder (HeronStoreChangeSet *set,
                   gint64               folder_id)
{
  FolderDelta *delta = g_hash_table_lookup (set->folders, &folder_id);

  if (delta == NULL)
    {
      delta = g_new0 (FolderDelta, 1);
      delta->added = uid_set_new ();
      delta->changed = uid_set_new ();
      delta->removed = uid_set_new ();
      g_hash_table_insert (set->folders, g_memdup2 (&folder_id, sizeof folder_id), delta);
    }
  return delta;
}

static void
uid_set_add (GHashTable *set,
             gint64      uid)
{
  if (!g_hash_table_contains (set, &uid))
    g_hash_table_add (set, g_memdup2 (&uid, sizeof uid));
}

/* Composes one change onto the net effect so far, so that a UID ends in at most one set: added
 * then removed is nothing, removed then added is a change. */
static void
change_set_record (HeronStoreChangeSet *set,
                   HeronStoreChangeKind kind,
                   gint64               folder_id,
                   gint64               uid)
{
  FolderDelta *delta = change_set_folder (set, folder_id);

  switch (kind)
    {
    case HERON_STORE_CHANGE_MESSAGES_REMOVED:
      if (!g_hash_table_remove (delta->added, &uid))
        {
          g_hash_table_remove (delta->changed, &uid);
          uid_set_add (delta->removed, uid);
        }
      break;
    case HERON_STORE_CHANGE_MESSAGES_ADDED:
      if (g_hash_table_remove (delta->removed, &uid))
        uid_set_add (delta->changed, uid);
      else
        uid_set_add (delta->added, uid);
      break;
    case HERON_STORE_CHANGE_MESSAGES_CHANGED:
      if (!g_hash_table_contains (delta->added, &uid))
        uid_set_add (delta->changed, uid);
      break;
    case HERON_STORE_CHANGE_FOLDER:
      break;
    case HERON_STORE_CHANGE_FOLDER_LIST:
    case HERON_STORE_CHANGE_JOURNAL:
    default:
      g_assert_not_reached ();
    }
}

static void
merge_uids (HeronStoreChangeSet *into,
            HeronStoreChangeKind kind,
            gint64               folder_id,
            GHashTable          *uids)
{
  GHashTableIter iter;
  gpointer key;

  g_hash_table_iter_init (&iter, uids);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    change_set_record (into, kind, folder_id, *(gint64 *) key);
}

static void
change_set_merge (HeronStoreChangeSet *into,
                  HeronStoreChangeSet *from)
{
  GHashTableIter iter;
  gpointer key, value;

  into->folder_list |= from->folder_list;
  into->journal |= from->journal;

  g_hash_table_iter_init (&iter, from->folders);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      gint64 folder_id = *(gint64 *) key;
      FolderDelta *delta = value;

      change_set_folder (into, folder_id);
      merge_uids (into, HERON_STORE_CHANGE_MESSAGES_REMOVED, folder_id, delta->removed);
      merge_uids (into, HERON_STORE_CHANGE_MESSAGES_ADDED, folder_id, delta->added);
      merge_uids (into, HERON_STORE_CHANGE_MESSAGES_CHANGED, folder_id, delta->changed);
    }
}

static int
compare_int64 (gconstpointer a,
               gconstpointer b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;

  return x < y ? -1 : x > y;
}

static void
change_free (gpointer data)
{
  HeronStoreChange *change = data;

  g_clear_pointer (&change->uids, g_array_unref);
  g_free (change);
}

static void
add_change (GPtrArray           *changes,
            HeronStoreChangeKind kind,
            gint64               folder_id,
            GHashTable          *uids)
{
  HeronStoreChange *change;

  if (uids != NULL && g_hash_table_size (uids) == 0)
    return;

  change = g_new0 (HeronStoreChange, 1);
  change->kind = kind;
  change->folder_id = folder_id;
  if (uids != NULL)
    {
      GHashTableIter iter;
      gpointer key;

      change->uids = g_array_sized_new (FALSE, FALSE, sizeof (gint64), g_hash_table_size (uids));
      g_hash_table_iter_init (&iter, uids);
      while (g_hash_table_iter_next (&iter, &key, NULL))
        g_array_append_val (change->uids, *(gint64 *) key);
      g_array_sort (change->uids, compare_int64);
    }
  g_ptr_array_add (changes, change);
}

static GPtrArray *
change_set_to_changes (HeronStoreChangeSet *set)
{
  g_autoptr (GPtrArray) changes = g_ptr_array_new_with_free_func (change_free);
  g_autoptr (GArray) folder_ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  GHashTableIter iter;
  gpointer key;

  if (set->folder_list)
    add_change (changes, HERON_STORE_CHANGE_FOLDER_LIST, 0, NULL);

  g_hash_table_iter_init (&iter, set->folders);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    g_array_append_val (folder_ids, *(gint64 *) key);
  g_array_sort (folder_ids, compare_int64);

  for (guint i = 0; i < folder_ids->len; i++)
    {
      gint64 folder_id = g_array_index (folder_ids, gint64, i);
      FolderDelta *delta = g_hash_table_lookup (set->folders, &folder_id);

      add_change (changes, HERON_STORE_CHANGE_MESSAGES_REMOVED, folder_id, delta->removed);
      add_change (changes, HERON_STORE_CHANGE_MESSAGES_ADDED, folder_id, delta->added);
      add_change (changes, HERON_STORE_CHANGE_MESSAGES_CHANGED, folder_id, delta->changed);
    }
  for (guint i = 0; i < folder_ids->len; i++)
    add_change (changes, HERON_STORE_CHANGE_FOLDER, g_array_index (folder_ids, gint64, i), NULL);

  if (set->journal)
    add_change (changes, HERON_STORE_CHANGE_JOURNAL, 0, NULL);

  return g_steal_pointer (&changes);
}

/* ---- The object ------------------------------------------------------------------------------ */

G_DEFINE_FINAL_TYPE (HeronStore, heron_store, G_TYPE_OBJECT)

static void
heron_store_finalize (GObject *object)
{
  HeronStore *self = (HeronStore *) object;

  if (self->db.handle != NULL)
    heron_store_close (self);
  if (self->changes_destroy != NULL)
    self->changes_destroy (self->changes_data);
  g_clear_pointer (&self->frames, g_ptr_array_unref);
  g_clear_pointer (&self->pinned_sources, g_hash_table_unref);
  g_clear_pointer (&self->sources_dir, g_free);
  g_clear_pointer (&self->fault, g_free);

  G_OBJECT_CLASS (heron_store_parent_class)->finalize (object);
}

static void
heron_store_class_init (HeronStoreClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = heron_store_finalize;
}

static void
heron_store_init (HeronStore *self)
{
  self->frames = g_ptr_array_new_with_free_func (change_set_free);
  self->pinned_sources = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  /* a random start makes a taken id (same second, same low bits) rare */
  self->key_counter = g_random_int ();
}

/* ---- Opening ----------------------------------------------------------------------------------- */

static gboolean
configure_writer (HeronStore *self,
                  GError    **error)
{
  g_autofree char *mode = NULL;
  gint64 version;
  int persist = 1;

  /* The first statement reads the header: a file that is not a database fails here. */
  version = _heron_store_db_query_int (&self->db, "PRAGMA user_version", -1, error);
  if (version < 0)
    return FALSE;
  if (version > HERON_STORE_SCHEMA_VERSION)
    return _heron_store_schema_migrate (self, HERON_STORE_SCHEMA_VERSION, error);

  /* Free pages go back to the file system on heron_store_collect_garbage(); only takes effect
   * before the first table exists. */
  if (version == 0 && !_heron_store_db_exec (&self->db, "PRAGMA auto_vacuum = INCREMENTAL", error))
    return FALSE;

  {
    g_autoptr (HeronStoreStmt) stmt = _heron_store_db_prepare (&self->db, "PRAGMA journal_mode = WAL", error);

    if (stmt == NULL || _heron_store_db_step (&self->db, stmt, error) != SQLITE_ROW)
      return FALSE;
    mode = _heron_store_column_dup (stmt, 0);
  }
  if (g_strcmp0 (mode, "wal") != 0)
    {
      g_set_error (error, HERON_STORE_ERROR, HERON_STORE_ERROR_IO,
                   "The mail cache %s cannot use write-ahead logging (journal mode %s)",
                   self->db.path, mode != NULL ? mode : "unknown");
      return FALSE;
    }

  if (!_heron_store_db_exec (&self->db,
                             "PRAGMA synchronous = NORMAL;"
                             "PRAGMA foreign_keys = ON;"
                             "PRAGMA temp_store = MEMORY;"
                             /* 8 MiB of page cache: the writer of everyday changes and the
                              * background passes (search entries, texts), whose pages the
                              * process would otherwise keep; bulk writers take more (below) */
                             "PRAGMA cache_size = -8192;"
                             /* the WAL file shrinks back to this after a checkpoint */
                             "PRAGMA journal_size_limit = 67108864;",
                             error))
    return FALSE;

  /* Keep the -wal and -shm files when the writer closes, so that a read-only connection can
   * open the database without the writer (it could not create them). */
  sqlite3_file_control (self->db.handle, "main", SQLITE_FCNTL_PERSIST_WAL, &persist);
  return TRUE;
}

HeronStore *
_heron_store_open_at_version (const char *path,
                              int         target,
                              GError    **error)
{
  g_autoptr (HeronStore) self = NULL;
  g_autofree char *dir = NULL;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  dir = g_path_get_dirname (path);
  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   "Cannot create the directory of the mail cache %s: %s", dir, g_strerror (saved));
      return NULL;
    }

  self = g_object_new (HERON_TYPE_STORE, NULL);
  self->sources_dir = _heron_store_sources_dir_for (path);

  if (!_heron_store_db_open (&self->db, path, FALSE, error) ||
      !configure_writer (self, error) ||
      !_heron_store_schema_migrate (self, target, error))
    return NULL;

  if (g_mkdir_with_parents (self->sources_dir, 0700) != 0)
    {
      int saved = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   "Cannot create %s: %s", self->sources_dir, g_strerror (saved));
      return NULL;
    }
  _heron_store_sources_clean_tmp (self);
  if (target >= 1)
    {
      /* Sources left unreferenced by a crash between a commit and its cleanup */
      self->maybe_garbage = TRUE;
      _heron_store_sources_collect (self);
    }

  return g_steal_pointer (&self);
}

HeronStore *
heron_store_open (const char *path,
                  GError    **error)
{
  return _heron_store_open_at_version (path, HERON_STORE_SCHEMA_VERSION, error);
}

HeronStore *
heron_store_open_extra_writer (const char *path,
                               GError    **error)
{
  g_autoptr (HeronStore) self = NULL;
  gint64 version;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  self = g_object_new (HERON_TYPE_STORE, NULL);
  self->sources_dir = _heron_store_sources_dir_for (path);
  self->extra = TRUE;
  if (!_heron_store_db_open (&self->db, path, FALSE, error))
    return NULL;
  version = _heron_store_db_query_int (&self->db, "PRAGMA user_version", -1, error);
  if (version < 0)
    return NULL;
  if (version != HERON_STORE_SCHEMA_VERSION)
    {
      g_set_error (error, HERON_STORE_ERROR, HERON_STORE_ERROR_INVALID,
                   "The mail cache %s is at schema %" G_GINT64_FORMAT ", not %d: open it with "
                   "heron_store_open() first", path, version, HERON_STORE_SCHEMA_VERSION);
      return NULL;
    }
  if (!configure_writer (self, error))
    return NULL;
  /* A bulk writer lets the write-ahead log grow to 16,384 pages (64 MiB, the journal size
   * limit) between checkpoints: each checkpoint ends with an fsync of the database, which on a
   * slow disk cost more wall time than the inserts, and index pages rewritten by later chunks
   * reach the database file once. */
  if (!_heron_store_db_exec (&self->db, "PRAGMA wal_autocheckpoint = 16384", error))
    return NULL;
  /* 32 MiB of page cache: a first sync's indexes stay in memory (freed when it closes) */
  if (!_heron_store_db_exec (&self->db, "PRAGMA cache_size = -32768", error))
    return NULL;
  return g_steal_pointer (&self);
}

char *
heron_store_dup_default_path (const char *account_id)
{
  g_return_val_if_fail (account_id != NULL && *account_id != '\0', NULL);
  g_return_val_if_fail (strchr (account_id, G_DIR_SEPARATOR) == NULL, NULL);

  return g_build_filename (g_get_user_data_dir (), "heron", account_id, "cache.db", NULL);
}

static gboolean
delete_tree (const char *path,
             GError    **error)
{
  GStatBuf st;

  if (g_lstat (path, &st) != 0)
    {
      if (errno == ENOENT)
        return TRUE;
    }
  else if (S_ISDIR (st.st_mode))
    {
      g_autoptr (GDir) dir = g_dir_open (path, 0, error);
      const char *name;

      if (dir == NULL)
        return FALSE;
      while ((name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *child = g_build_filename (path, name, NULL);

          if (!delete_tree (child, error))
            return FALSE;
        }
      if (g_rmdir (path) == 0)
        return TRUE;
    }
  else if (g_unlink (path) == 0)
    return TRUE;

  {
    int saved = errno;

    g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                 "Cannot delete %s: %s", path, g_strerror (saved));
  }
  return FALSE;
}

gboolean
heron_store_delete_files (const char *path,
                          GError    **error)
{
  static const char * const suffixes[] = { "-wal", "-shm", "-journal", "" };
  g_autofree char *sources = NULL;

  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  /* The database last: a crash half-way leaves a cache that opens (and may lack bodies, which
   * the store treats as not local). */
  sources = _heron_store_sources_dir_for (path);
  if (!delete_tree (sources, error))
    return FALSE;
  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *file = g_strconcat (path, suffixes[i], NULL);

      if (!delete_tree (file, error))
        return FALSE;
    }
  return TRUE;
}

const char *
heron_store_get_path (HeronStore *self)
{
  g_return_val_if_fail (HERON_IS_STORE (self), NULL);

  return self->db.path;
}

const char *
heron_store_get_sources_dir (HeronStore *self)
{
  g_return_val_if_fail (HERON_IS_STORE (self), NULL);

  return self->sources_dir;
}

sqlite3 *
_heron_store_get_handle (HeronStore *self)
{
  return self->db.handle;
}

void
heron_store_close (HeronStore *self)
{
  g_return_if_fail (HERON_IS_STORE (self));

  if (self->db.handle == NULL)
    return;

  HERON_STORE_DB_ASSERT_OWNER (&self->db);
  if (self->depth > 0)
    {
      g_critical ("Closing the mail cache %s inside a transaction: its writes are lost", self->db.path);
      while (self->depth > 0)
        _heron_store_rollback (self);
    }
  /* The write-ahead log back into the database, and the log file emptied: a large first sync
   * leaves hundreds of megabytes in it when readers held snapshots meanwhile, which the next
   * start would read again before its first query. Readers that still read keep what they need
   * (the checkpoint stops short of them after a brief wait and the log is then kept). */
  if (!self->extra)
    {
      /* (not by an extra writer: the account's own writer stays open, and does it) */
      int log_frames = -1, done_frames = -1, rc;

      sqlite3_busy_timeout (self->db.handle, 100);
      rc = sqlite3_wal_checkpoint_v2 (self->db.handle, NULL, SQLITE_CHECKPOINT_TRUNCATE, &log_frames,
                                      &done_frames);
      g_debug ("%s: the write-ahead log at close: %s (%d of %d frames in the database)", self->db.path,
               rc == SQLITE_OK ? "emptied" : sqlite3_errstr (rc), done_frames, log_frames);
    }
  _heron_store_db_close (&self->db);
}

gboolean
heron_store_checkpoint (HeronStore *self)
{
  int log_frames = -1, done_frames = -1, rc;

  g_return_val_if_fail (HERON_IS_STORE (self), FALSE);
  HERON_STORE_DB_ASSERT_OWNER (&self->db);

  if (self->db.handle == NULL || self->depth > 0)
    return FALSE;
  rc = sqlite3_wal_checkpoint_v2 (self->db.handle, NULL, SQLITE_CHECKPOINT_PASSIVE, &log_frames,
                                  &done_frames);
  g_debug ("%s: checkpoint: %s (%d of %d frames in the database)", self->db.path, sqlite3_errstr (rc),
           done_frames, log_frames);
  return rc == SQLITE_OK && done_frames == log_frames;
}

void
heron_store_set_commit_func (HeronStore           *self,
                             HeronStoreCommitFunc  func,
                             gpointer              user_data)
{
  g_return_if_fail (HERON_IS_STORE (self));

  self->commit_func = func;
  self->commit_data = user_data;
}

void
heron_store_set_changes_func (HeronStore           *self,
                              HeronStoreChangesFunc func,
                              gpointer              user_data,
                              GDestroyNotify        destroy)
{
  g_return_if_fail (HERON_IS_STORE (self));

  if (self->changes_destroy != NULL)
    self->changes_destroy (self->changes_data);
  self->changes_func = func;
  self->changes_data = user_data;
  self->changes_destroy = destroy;
}

/* ---- Faults for the tests ---------------------------------------------------------------------- */

void
_heron_store_set_fault (HeronStore *self,
                        const char *point)
{
  g_free (self->fault);
  self->fault = g_strdup (point);
}

gboolean
_heron_store_check_fault (HeronStore *self,
                          const char *point,
                          GError    **error)
{
  if (self->fault == NULL || strcmp (self->fault, point) != 0)
    return FALSE;

  g_clear_pointer (&self->fault, g_free);
  g_set_error (error, HERON_STORE_ERROR, HERON_STORE_ERROR_IO, "Injected failure at %s", point);
  return TRUE;
}

/* ---- Transactions ------------------------------------------------------------------------------ */

static gboolean
exec_cached (HeronStore *self,
             const char *sql,
             GError    **error)
{
  g_autoptr (HeronStoreStmt) stmt = _heron_store_db_prepare (&self->db, sql, error);

  return stmt != NULL && _heron_store_db_run (&self->db, stmt, error);
}

/* Only the outermost level is a SQL transaction. Inner levels are not savepoints: FTS5 writes
 * its pending index data out at every savepoint, which made adding body text inside a batch
 * five times slower. So a failure at an inner level cannot be undone alone: it dooms the whole
 * transaction, whose commit then fails and rolls everything back. */
static gboolean
begin_level (HeronStore *self,
             GError    **error)
{
  if (self->depth == 0)
    {
      /* IMMEDIATE: take the write lock now, not at the first write, so that a transaction never
       * fails half-way with BUSY because a reader's snapshot is older */
      if (!exec_cached (self, "BEGIN IMMEDIATE", error))
        return FALSE;
      self->doomed = FALSE;
    }

  self->depth++;
  g_ptr_array_add (self->frames, change_set_new ());
  return TRUE;
}

gboolean
_heron_store_begin (HeronStore *self,
                    GError    **error)
{
  HERON_STORE_DB_ASSERT_OWNER (&self->db);

  if (self->db.handle == NULL)
    {
      g_set_error (error, HERON_STORE_ERROR, HERON_STORE_ERROR_IO, "The mail cache is closed");
      return FALSE;
    }
  return begin_level (self, error);
}

gboolean
_heron_store_begin_durable (HeronStore *self,
                            GError    **error)
{
  HERON_STORE_DB_ASSERT_OWNER (&self->db);

  if (self->depth > 0)
    {
      g_set_error (error, HERON_STORE_ERROR, HERON_STORE_ERROR_INVALID,
                   "A journaled operation cannot be part of a batch");
      return FALSE;
    }
  /* synchronous only takes effect when set outside a transaction; the outermost commit or
   * rollback sets it back to NORMAL */
  if (!exec_cached (self, "PRAGMA synchronous = FULL", error))
    return FALSE;
  if (!_heron_store_begin (self, error))
    {
      exec_cached (self, "PRAGMA synchronous = NORMAL", NULL);
      return FALSE;
    }
  return TRUE;
}

static void
post_commit (HeronStore          *self,
             HeronStoreChangeSet *set)
{
  if (self->maybe_garbage)
    _heron_store_sources_collect (self);

  if (self->changes_func != NULL)
    {
      g_autoptr (GPtrArray) changes = change_set_to_changes (set);

      if (changes->len > 0)
        self->changes_func (self, changes, self->changes_data);
    }
  if (self->commit_func != NULL)
    self->commit_func (self, self->commit_data);
}

gboolean
_heron_store_commit (HeronStore *self,
                     GError    **error)
{
  HeronStoreChangeSet *set;

  HERON_STORE_DB_ASSERT_OWNER (&self->db);
  g_assert (self->depth > 0);

  if (self->doomed || sqlite3_get_autocommit (self->db.handle))
    {
      /* A write inside failed, or SQLite rolled the transaction back after an error */
      g_set_error (error, HERON_STORE_ERROR, HERON_STORE_ERROR_FAILED,
                   "The transaction was rolled back because a write in it failed");
      _heron_store_rollback (self);
      return FALSE;
    }

  if (self->depth > 1)
    {
      self->depth--;
      set = g_ptr_array_steal_index (self->frames, self->frames->len - 1);
      change_set_merge (g_ptr_array_index (self->frames, self->frames->len - 1), set);
      change_set_free (set);
      return TRUE;
    }

  if (!exec_cached (self, "COMMIT", error))
    {
      _heron_store_rollback (self);
      return FALSE;
    }
  self->depth = 0;
  set = g_ptr_array_steal_index (self->frames, 0);
  exec_cached (self, "PRAGMA synchronous = NORMAL", NULL);
  post_commit (self, set);
  change_set_free (set);
  return TRUE;
}

void
_heron_store_rollback (HeronStore *self)
{
  HERON_STORE_DB_ASSERT_OWNER (&self->db);
  g_assert (self->depth > 0);

  self->depth--;
  g_ptr_array_remove_index (self->frames, self->frames->len - 1);
  if (self->depth > 0)
    {
      self->doomed = TRUE;
      return;
    }

  if (!sqlite3_get_autocommit (self->db.handle))
    {
      g_autoptr (GError) error = NULL;

      if (!exec_cached (self, "ROLLBACK", &error))
        g_warning ("Rolling back: %s", error->message);
    }
  self->doomed = FALSE;
  exec_cached (self, "PRAGMA synchronous = NORMAL", NULL);
}

gboolean
heron_store_begin_batch (HeronStore *self,
                         GError    **error)
{
  g_return_val_if_fail (HERON_IS_STORE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return _heron_store_begin (self, error);
}

gboolean
heron_store_commit_batch (HeronStore *self,
                          GError    **error)
{
  g_return_val_if_fail (HERON_IS_STORE (self), FALSE);
  g_return_val_if_fail (self->depth > 0, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return _heron_store_commit (self, error);
}

void
heron_store_rollback_batch (HeronStore *self)
{
  g_return_if_fail (HERON_IS_STORE (self));
  g_return_if_fail (self->depth > 0);

  _heron_store_rollback (self);
}

/* ---- Change notes ------------------------------------------------------------------------------ */

static HeronStoreChangeSet *
current_frame (HeronStore *self)
{
  g_assert (self->depth > 0);
  return g_ptr_array_index (self->frames, self->frames->len - 1);
}

void
_heron_store_note_message (HeronStore          *self,
                           HeronStoreChangeKind kind,
                           gint64               folder_id,
                           gint64               uid)
{
  change_set_record (current_frame (self), kind, folder_id, uid);
}

void
_heron_store_note_folder (HeronStore *self,
                          gint64      folder_id)
{
  change_set_folder (current_frame (self), folder_id);
}

void
_heron_store_note_folder_list (HeronStore *self)
{
  current_frame (self)->folder_list = TRUE;
}

void
_heron_store_note_journal (HeronStore *self)
{
  current_frame (self)->journal = TRUE;
}

gboolean
_heron_store_next_local_uid (HeronStore *self,
                             gint64     *out_uid,
                             GError    **error)
{
  g_autoptr (HeronStoreStmt) stmt = NULL;

  g_assert (self->depth > 0);

  stmt = _heron_store_db_prepare (&self->db,
                                  "UPDATE meta SET value = value - 1 WHERE key = 'next-local-uid' "
                                  "RETURNING value + 1",
                                  error);
  if (stmt == NULL || _heron_store_db_step (&self->db, stmt, error) != SQLITE_ROW)
    return FALSE;
  *out_uid = sqlite3_column_int64 (stmt, 0);
  g_assert (*out_uid < 0);
  return TRUE;
}

/* ---- Housekeeping ------------------------------------------------------------------------------ */

static gboolean
remove_orphan_files (HeronStore   *self,
                     GCancellable *cancellable,
                     GError      **error)
{
  g_autoptr (GDir) top = g_dir_open (self->sources_dir, 0, error);
  const char *sub;

  if (top == NULL)
    return FALSE;

  while ((sub = g_dir_read_name (top)) != NULL)
    {
      g_autofree char *subdir = g_build_filename (self->sources_dir, sub, NULL);
      g_autoptr (GDir) dir = NULL;
      const char *name;

      if (strlen (sub) != 2 || !g_file_test (subdir, G_FILE_TEST_IS_DIR))
        continue;
      dir = g_dir_open (subdir, 0, NULL);
      if (dir == NULL)
        continue;

      while ((name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *hash = g_strconcat (sub, name, NULL);
          g_autoptr (HeronStoreStmt) stmt = NULL;
          int rc;

          if (g_cancellable_set_error_if_cancelled (cancellable, error))
            return FALSE;
          if (g_hash_table_contains (self->pinned_sources, hash))
            continue;

          stmt = _heron_store_db_prepare (&self->db, "SELECT 1 FROM sources WHERE hash = ?", error);
          if (stmt == NULL)
            return FALSE;
          _heron_store_bind_text (stmt, 1, hash);
          rc = _heron_store_db_step (&self->db, stmt, error);
          if (rc == SQLITE_DONE)
            {
              g_autofree char *file = g_build_filename (subdir, name, NULL);

              g_debug ("Removing the orphan source %s", file);
              g_unlink (file);
            }
          else if (rc != SQLITE_ROW)
            return FALSE;
        }
    }
  return TRUE;
}

gboolean
heron_store_collect_garbage (HeronStore   *self,
                             GCancellable *cancellable,
                             GError      **error)
{
  g_return_val_if_fail (HERON_IS_STORE (self), FALSE);
  g_return_val_if_fail (self->depth == 0, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);
  HERON_STORE_DB_ASSERT_OWNER (&self->db);

  self->maybe_garbage = TRUE;
  _heron_store_sources_collect (self);

  if (!remove_orphan_files (self, cancellable, error))
    return FALSE;

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;

  /* Local UIDs are only looked up by operations still in the journal */
  if (!_heron_store_begin (self, error))
    return FALSE;
  if (!_heron_store_db_exec (&self->db,
                             HERON_STORE_PRUNE_UID_MAP ";"
                             "INSERT INTO message_fts (message_fts, rank) VALUES ('merge', 500);",
                             error))
    {
      _heron_store_rollback (self);
      return FALSE;
    }
  if (!_heron_store_commit (self, error))
    return FALSE;

  return _heron_store_db_exec (&self->db, "PRAGMA incremental_vacuum; PRAGMA optimize;", error);
}

static gboolean
check_none (HeronStore *self,
            const char *sql,
            const char *what,
            GError    **error)
{
  g_autoptr (HeronStoreStmt) stmt = _heron_store_db_prepare (&self->db, sql, error);
  int rc;

  if (stmt == NULL)
    return FALSE;
  rc = _heron_store_db_step (&self->db, stmt, error);
  if (rc == SQLITE_ROW)
    {
      g_set_error (error, HERON_STORE_ERROR, HERON_STORE_ERROR_CORRUPT,
                   "The mail cache %s is inconsistent: %s (%s)", self->db.path, what,
                   (const char *) sqlite3_column_text (stmt, 0));
      return FALSE;
    }
  return rc == SQLITE_DONE;
}

gboolean
heron_store_check (HeronStore *self,
                   GError    **error)
{
  g_autofree char *result = NULL;

  g_return_val_if_fail (HERON_IS_STORE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);
  HERON_STORE_DB_ASSERT_OWNER (&self->db);

  {
    g_autoptr (HeronStoreStmt) stmt = _heron_store_db_prepare (&self->db, "PRAGMA quick_check", error);

    if (stmt == NULL || _heron_store_db_step (&self->db, stmt, error) != SQLITE_ROW)
      return FALSE;
    result = _heron_store_column_dup (stmt, 0);
  }
  if (g_strcmp0 (result, "ok") != 0)
    {
      g_set_error (error, HERON_STORE_ERROR, HERON_STORE_ERROR_CORRUPT,
                   "The mail cache %s is damaged: %s", self->db.path, result);
      return FALSE;
    }

  return check_none (self,
                     "SELECT 'folder ' || f.id FROM folders f"
                     " WHERE f.n_messages != (SELECT count(*) FROM messages m WHERE m.folder_id = f.id)"
                     "    OR f.n_unread != (SELECT count(*) FROM messages m"
                     "                       WHERE m.folder_id = f.id AND (m.flags & 9) = 0)",
                     "wrong message counts", error) &&
         check_none (self,
                     "SELECT 'source ' || s.id FROM sources s"
                     " WHERE s.refs != (SELECT count(*) FROM messages m WHERE m.source_id = s.id)"
                     "               + (SELECT count(*) FROM journal j WHERE j.source_id = s.id)"
                     "               + (SELECT count(*) FROM outbox o WHERE o.source_id = s.id)",
                     "wrong source references", error) &&
         check_none (self,
                     "SELECT 'message ' || m.id FROM messages m"
                     " WHERE NOT EXISTS (SELECT 1 FROM message_fts f WHERE f.rowid = m.id)"
                     " UNION ALL "
                     "SELECT 'index row ' || f.rowid FROM message_fts f"
                     " WHERE NOT EXISTS (SELECT 1 FROM messages m WHERE m.id = f.rowid)",
                     "search index and messages differ", error) &&
         check_none (self,
                     "SELECT 'message ' || id FROM messages"
                     " WHERE body_local != (source_id IS NOT NULL)",
                     "body state and source differ", error) &&
         _heron_store_db_exec (&self->db,
                               "INSERT INTO message_fts (message_fts) VALUES ('integrity-check')",
                               error);
}

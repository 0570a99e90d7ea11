/* heron-client-account.c: HeronAccount, one mail account as the front end sees it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * An account wraps its config and its sync worker (backend/sync), and reads the cache through a
 * HeronStoreReader of its own on the main thread. The reader is opened at the worker's first
 * event: the worker opens (creates, migrates) the cache before it reports anything, so the file
 * is ready by then. The folder tree is the cache's folder list, made again from it whenever the
 * worker reports a change of the list or of a folder; folder objects are kept by cache id, so a
 * folder renamed on the server stays the same object.
 *
 * The operations (heron-client-account-ops.c) hand their work to the worker, which changes the
 * cache and journals it at once (they work offline) and completes then; results are read back
 * through the reader.
 */

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "heron-client-account.h"
#include "heron-client-private.h"
#include "account/heron-secrets.h"
#include "imap/heron-imap-error.h"
#include "net/heron-tls.h"

struct _HeronAccount
{
  GObject                    parent_instance;

  HeronAccountManager       *manager;   /* weak */
  HeronAccountConfig        *config;
  HeronAccountWorker        *worker;
  HeronAccountWorkerOptions  options;   /* store_path and tls_database owned below */
  char                      *store_path;
  GTlsDatabase              *tls_database;
  char                      *password;         /* given by the manager (GOA's), or NULL */
  char                      *smtp_password;    /* GOA's for SMTP when it differs, or NULL */
  HeronOAuth2Provider       *oauth2_provider;

  HeronStoreReader          *reader;
  GListStore                *folders;        /* the top level, sorted */
  GHashTable                *folders_by_id;  /* gint64 * -> HeronFolder (a reference) */
  HeronFolder               *inbox;          /* weak: in folders_by_id */

  HeronSyncState             state;
  GError                    *error;
  gboolean                   busy;
  double                     progress;
  guint                      n_pending;

  GTlsCertificate           *untrusted_certificate;
  char                      *untrusted_pem;
  char                      *untrusted_fingerprint;
};

G_DEFINE_FINAL_TYPE (HeronAccount, heron_account, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_ID,
  PROP_DISPLAY_NAME,
  PROP_EMAIL,
  PROP_STATE,
  PROP_ERROR,
  PROP_BUSY,
  PROP_PROGRESS,
  PROP_N_PENDING,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  SIGNAL_EVENT,
  SIGNAL_MESSAGE_SENT,
  SIGNAL_SEND_FAILED,
  SIGNAL_NEW_MAIL,
  SIGNAL_CLOSING,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void reload_folders (HeronAccount *self);
static void reload_folder  (HeronAccount *self,
                             const char   *name);

/* GObject */

static void
clear_folders (HeronAccount *self)
{
  GHashTableIter iter;
  gpointer value;

  if (self->folders_by_id == NULL)
    return;
  g_list_store_remove_all (self->folders);
  g_hash_table_iter_init (&iter, self->folders_by_id);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      HeronFolder *folder = value;
      GListStore *children = G_LIST_STORE (heron_folder_get_children (folder));

      g_list_store_remove_all (children);
      _heron_folder_set_parent (folder, NULL);
      _heron_folder_detach (folder);
    }
  g_hash_table_remove_all (self->folders_by_id);
  self->inbox = NULL;
}

static void
heron_account_dispose (GObject *object)
{
  HeronAccount *self = HERON_ACCOUNT (object);

  _heron_account_stop (self);
  clear_folders (self);
  if (self->manager != NULL)
    {
      g_object_remove_weak_pointer (G_OBJECT (self->manager), (gpointer *) &self->manager);
      self->manager = NULL;
    }

  G_OBJECT_CLASS (heron_account_parent_class)->dispose (object);
}

static void
heron_account_finalize (GObject *object)
{
  HeronAccount *self = HERON_ACCOUNT (object);

  g_clear_object (&self->config);
  g_clear_object (&self->tls_database);
  g_free (self->store_path);
  if (self->password != NULL)
    heron_secrets_free (self->password);
  if (self->smtp_password != NULL)
    heron_secrets_free (self->smtp_password);
  g_clear_object (&self->oauth2_provider);
  g_clear_object (&self->folders);
  g_clear_pointer (&self->folders_by_id, g_hash_table_unref);
  g_clear_error (&self->error);
  g_clear_object (&self->untrusted_certificate);
  g_free (self->untrusted_pem);
  g_free (self->untrusted_fingerprint);

  G_OBJECT_CLASS (heron_account_parent_class)->finalize (object);
}

static void
heron_account_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  HeronAccount *self = HERON_ACCOUNT (object);

  switch (prop_id)
    {
    case PROP_ID:
      g_value_set_string (value, heron_account_get_id (self));
      break;
    case PROP_DISPLAY_NAME:
      g_value_set_string (value, heron_account_get_display_name (self));
      break;
    case PROP_EMAIL:
      g_value_set_string (value, heron_account_get_email (self));
      break;
    case PROP_STATE:
      g_value_set_int (value, self->state);
      break;
    case PROP_ERROR:
      g_value_set_boxed (value, self->error);
      break;
    case PROP_BUSY:
      g_value_set_boolean (value, self->busy);
      break;
    case PROP_PROGRESS:
      g_value_set_double (value, self->progress);
      break;
    case PROP_N_PENDING:
      g_value_set_uint (value, self->n_pending);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
heron_account_class_init (HeronAccountClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->dispose = heron_account_dispose;
  object_class->finalize = heron_account_finalize;
  object_class->get_property = heron_account_get_property;

  properties[PROP_ID] = g_param_spec_string ("id", NULL, NULL, NULL, flags);
  properties[PROP_DISPLAY_NAME] = g_param_spec_string ("display-name", NULL, NULL, NULL, flags);
  properties[PROP_EMAIL] = g_param_spec_string ("email", NULL, NULL, NULL, flags);
  /* HeronSyncState */
  properties[PROP_STATE] =
    g_param_spec_int ("state", NULL, NULL, HERON_SYNC_STATE_STOPPED, HERON_SYNC_STATE_UNTRUSTED,
                      HERON_SYNC_STATE_STOPPED, flags);
  properties[PROP_ERROR] = g_param_spec_boxed ("error", NULL, NULL, G_TYPE_ERROR, flags);
  properties[PROP_BUSY] = g_param_spec_boolean ("busy", NULL, NULL, FALSE, flags);
  properties[PROP_PROGRESS] = g_param_spec_double ("progress", NULL, NULL, -1.0, 1.0, -1.0, flags);
  properties[PROP_N_PENDING] = g_param_spec_uint ("n-pending", NULL, NULL, 0, G_MAXUINT, 0, flags);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[SIGNAL_EVENT] =
    g_signal_new ("event", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST | G_SIGNAL_DETAILED,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1,
                  HERON_TYPE_SYNC_EVENT | G_SIGNAL_TYPE_STATIC_SCOPE);
  signals[SIGNAL_MESSAGE_SENT] =
    g_signal_new ("message-sent", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
  signals[SIGNAL_SEND_FAILED] =
    g_signal_new ("send-failed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_STRING,
                  G_TYPE_ERROR | G_SIGNAL_TYPE_STATIC_SCOPE);
  signals[SIGNAL_NEW_MAIL] =
    g_signal_new ("new-mail", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 2, HERON_TYPE_FOLDER,
                  G_TYPE_ARRAY | G_SIGNAL_TYPE_STATIC_SCOPE);
  /* The application is shutting the account down (_heron_account_close()): what holds a read
   * snapshot of its cache lets it go, so that the worker's writer can empty the write-ahead log
   * into the database as it closes. */
  signals[SIGNAL_CLOSING] =
    g_signal_new ("closing", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
heron_account_init (HeronAccount *self)
{
  self->folders = g_list_store_new (HERON_TYPE_FOLDER);
  self->folders_by_id = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_object_unref);
  self->progress = -1.0;
}

/* State from the worker */

static void
set_busy (HeronAccount *self,
          gboolean      busy,
          double        progress)
{
  if (self->busy != busy)
    {
      self->busy = busy;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);
    }
  if (self->progress != progress)
    {
      self->progress = progress;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PROGRESS]);
    }
}

static void
clear_untrusted (HeronAccount *self)
{
  g_clear_object (&self->untrusted_certificate);
  g_clear_pointer (&self->untrusted_pem, g_free);
  g_clear_pointer (&self->untrusted_fingerprint, g_free);
}

static void
set_error (HeronAccount *self,
           const GError *error)
{
  if (self->error == NULL && error == NULL)
    return;
  g_clear_error (&self->error);
  if (error != NULL)
    self->error = g_error_copy (error);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ERROR]);
}

static void
set_state (HeronAccount   *self,
           HeronSyncState  state)
{
  if (self->state == state)
    return;
  self->state = state;
  if (state == HERON_SYNC_STATE_ONLINE)
    {
      clear_untrusted (self);
      set_error (self, NULL);
    }
  if (state != HERON_SYNC_STATE_ONLINE)
    set_busy (self, FALSE, -1.0);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
}

static void
update_n_pending (HeronAccount *self)
{
  g_autoptr(GError) error = NULL;
  guint n_pending = 0;

  if (self->reader == NULL)
    return;
  if (!heron_store_reader_count_pending_operations (self->reader, &n_pending, &error))
    {
      g_debug ("%s: cannot count the journal: %s", heron_account_get_id (self), error->message);
      return;
    }
  if (self->n_pending != n_pending)
    {
      self->n_pending = n_pending;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_PENDING]);
    }
}

static gboolean
ensure_reader (HeronAccount *self)
{
  g_autoptr(GError) error = NULL;

  if (self->reader != NULL)
    return TRUE;
  if (!g_file_test (self->store_path, G_FILE_TEST_EXISTS))
    return FALSE;
  self->reader = heron_store_reader_open (self->store_path, &error);
  if (self->reader == NULL)
    {
      g_debug ("%s: cannot read the cache yet: %s", heron_account_get_id (self), error->message);
      return FALSE;
    }
  reload_folders (self);
  update_n_pending (self);
  return TRUE;
}

static void
take_certificate_error (HeronAccount   *self,
                        HeronSyncEvent *event)
{
  g_autofree char *pem = NULL;

  clear_untrusted (self);
  if (event->certificate == NULL)
    return;
  g_object_get (event->certificate, "certificate-pem", &pem, NULL);
  if (pem == NULL)
    return;
  self->untrusted_certificate = g_object_ref (event->certificate);
  self->untrusted_pem = g_steal_pointer (&pem);
  self->untrusted_fingerprint = heron_tls_certificate_dup_fingerprint (event->certificate);
}

static void
maybe_new_mail (HeronAccount   *self,
                HeronSyncEvent *event)
{
  g_autoptr(GArray) uids = NULL;

  /* Not what the first sync of INBOX found (the worker marks those events: the reader may be
   * ahead of the events and show the folder synced already), not what was found while offline,
   * not our own local copies (negative UIDs). */
  if (self->inbox == NULL || event->initial ||
      self->state != HERON_SYNC_STATE_ONLINE || event->uids == NULL ||
      g_strcmp0 (event->folder, heron_folder_get_name (self->inbox)) != 0)
    return;

  uids = g_array_new (FALSE, FALSE, sizeof (gint64));
  for (guint i = 0; i < event->uids->len; i++)
    {
      gint64 uid = g_array_index (event->uids, gint64, i);
      if (uid > 0)
        g_array_append_val (uids, uid);
    }
  if (uids->len > 0)
    g_signal_emit (self, signals[SIGNAL_NEW_MAIL], 0, self->inbox, uids);
}

static void
on_worker_event (HeronAccountWorker *worker,
                 HeronSyncEvent     *event,
                 gpointer            user_data)
{
  HeronAccount *self = user_data;
  gboolean opened = self->reader != NULL;

  g_object_ref (self);
  g_object_freeze_notify (G_OBJECT (self));

  /* the worker made the cache before its first event */
  ensure_reader (self);

  switch (event->kind)
    {
    case HERON_SYNC_EVENT_STATE:
      set_state (self, event->state);
      break;

    case HERON_SYNC_EVENT_FOLDERS_CHANGED:
      if (opened)
        reload_folders (self);
      break;

    case HERON_SYNC_EVENT_FOLDER_CHANGED:
      if (opened)
        reload_folder (self, event->folder);
      break;

    case HERON_SYNC_EVENT_MESSAGES_ADDED:
      maybe_new_mail (self, event);
      break;

    case HERON_SYNC_EVENT_PROGRESS:
      if (event->total > 0 && event->done < event->total)
        set_busy (self, TRUE, (double) event->done / event->total);
      else
        set_busy (self, FALSE, -1.0);
      break;

    case HERON_SYNC_EVENT_ERROR:
      if (g_error_matches (event->error, HERON_IMAP_ERROR, HERON_IMAP_ERROR_CERTIFICATE))
        take_certificate_error (self, event);
      set_error (self, event->error);
      break;

    case HERON_SYNC_EVENT_SENT:
      g_signal_emit (self, signals[SIGNAL_MESSAGE_SENT], 0, event->message_id);
      break;

    case HERON_SYNC_EVENT_SEND_FAILED:
      g_signal_emit (self, signals[SIGNAL_SEND_FAILED], 0, event->message_id, event->error);
      break;

    case HERON_SYNC_EVENT_JOURNAL_CHANGED:
      /* a fresh reader counted the journal already */
      if (opened)
        update_n_pending (self);
      break;

    case HERON_SYNC_EVENT_MESSAGES_CHANGED:
    case HERON_SYNC_EVENT_MESSAGES_REMOVED:
    case HERON_SYNC_EVENT_BODY_FETCHED:
    default:
      break;
    }

  g_object_thaw_notify (G_OBJECT (self));

  g_signal_emit (self, signals[SIGNAL_EVENT],
                 g_quark_from_static_string (heron_sync_event_kind_to_string (event->kind)), event);
  g_object_unref (self);
}

/* Folders */

static HeronFolderRole
role_for_special_folder (HeronAccountSpecialFolder special)
{
  switch (special)
    {
    case HERON_ACCOUNT_SPECIAL_FOLDER_DRAFTS:
      return HERON_FOLDER_ROLE_DRAFTS;
    case HERON_ACCOUNT_SPECIAL_FOLDER_SENT:
      return HERON_FOLDER_ROLE_SENT;
    case HERON_ACCOUNT_SPECIAL_FOLDER_TRASH:
      return HERON_FOLDER_ROLE_TRASH;
    case HERON_ACCOUNT_SPECIAL_FOLDER_JUNK:
      return HERON_FOLDER_ROLE_JUNK;
    case HERON_ACCOUNT_SPECIAL_FOLDER_ARCHIVE:
    default:
      return HERON_FOLDER_ROLE_ARCHIVE;
    }
}

static HeronFolderRole
role_for_special_use (HeronStoreSpecialUse special_use)
{
  switch (special_use)
    {
    case HERON_STORE_SPECIAL_USE_ALL:
      return HERON_FOLDER_ROLE_ALL;
    case HERON_STORE_SPECIAL_USE_ARCHIVE:
      return HERON_FOLDER_ROLE_ARCHIVE;
    case HERON_STORE_SPECIAL_USE_DRAFTS:
      return HERON_FOLDER_ROLE_DRAFTS;
    case HERON_STORE_SPECIAL_USE_FLAGGED:
      return HERON_FOLDER_ROLE_FLAGGED;
    case HERON_STORE_SPECIAL_USE_JUNK:
      return HERON_FOLDER_ROLE_JUNK;
    case HERON_STORE_SPECIAL_USE_SENT:
      return HERON_FOLDER_ROLE_SENT;
    case HERON_STORE_SPECIAL_USE_TRASH:
      return HERON_FOLDER_ROLE_TRASH;
    case HERON_STORE_SPECIAL_USE_NONE:
    default:
      return HERON_FOLDER_ROLE_NONE;
    }
}

static gboolean
override_names (const char             *mailbox,
                const HeronStoreFolder *info)
{
  return g_strcmp0 (mailbox, info->name) == 0 || g_strcmp0 (mailbox, info->display_name) == 0;
}

/* INBOX; else the config's override of a special folder; else the server's special use, unless
 * the config gives that role to another folder. */
static HeronFolderRole
role_for (HeronAccount           *self,
          const HeronStoreFolder *info)
{
  HeronFolderRole role;

  if (g_ascii_strcasecmp (info->name, "INBOX") == 0)
    return HERON_FOLDER_ROLE_INBOX;

  for (guint i = 0; i < HERON_ACCOUNT_N_SPECIAL_FOLDERS; i++)
    {
      const char *mailbox = heron_account_config_get_special_folder (self->config, i);
      if (mailbox != NULL && override_names (mailbox, info))
        return role_for_special_folder (i);
    }

  role = role_for_special_use (info->special_use);
  for (guint i = 0; i < HERON_ACCOUNT_N_SPECIAL_FOLDERS; i++)
    {
      if (role_for_special_folder (i) == role &&
          heron_account_config_get_special_folder (self->config, i) != NULL)
        return HERON_FOLDER_ROLE_NONE;
    }
  return role;
}

static GListStore *
container_of (HeronAccount *self,
              HeronFolder  *parent)
{
  return parent != NULL ? G_LIST_STORE (heron_folder_get_children (parent)) : self->folders;
}

static void
unplace (HeronAccount *self,
         HeronFolder  *folder)
{
  GListStore *container = container_of (self, heron_folder_get_parent (folder));
  guint position;

  if (g_list_store_find (container, folder, &position))
    g_list_store_remove (container, position);
}

typedef struct {
  HeronFolder     *folder;
  char            *old_name;
  HeronFolderRole  old_role;
  gboolean         is_new;
} Placement;

static void
placement_clear (Placement *placement)
{
  g_free (placement->old_name);
}

/* Makes the tree equal to the cache's folder list. */
static void
reload_folders (HeronAccount *self)
{
  g_autoptr(GPtrArray) rows = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GHashTable) by_name = NULL;
  g_autoptr(GHashTable) seen = NULL;
  g_autoptr(GArray) placements = NULL;
  g_autoptr(GPtrArray) gone = NULL;
  HeronFolder *old_inbox = self->inbox;
  GHashTableIter iter;
  gpointer key, value;

  if (self->reader == NULL)
    return;
  rows = heron_store_reader_get_folders (self->reader, &error);
  if (rows == NULL)
    {
      g_warning ("%s: cannot read the folder list: %s", heron_account_get_id (self), error->message);
      return;
    }

  by_name = g_hash_table_new (g_str_hash, g_str_equal);
  seen = g_hash_table_new (g_int64_hash, g_int64_equal);
  placements = g_array_sized_new (FALSE, TRUE, sizeof (Placement), rows->len);
  g_array_set_clear_func (placements, (GDestroyNotify) placement_clear);
  self->inbox = NULL;

  /* 1. every row: a new folder, or the old one updated */
  for (guint i = 0; i < rows->len; i++)
    {
      HeronStoreFolder *info = g_ptr_array_index (rows, i);
      HeronFolderRole role = role_for (self, info);
      HeronFolder *folder = g_hash_table_lookup (self->folders_by_id, &info->id);
      Placement placement = { 0 };

      if (folder == NULL)
        {
          folder = _heron_folder_new (self, info, role);
          g_hash_table_insert (self->folders_by_id, g_memdup2 (&info->id, sizeof info->id), folder);
          placement.is_new = TRUE;
        }
      else
        {
          placement.old_name = g_strdup (heron_folder_get_name (folder));
          placement.old_role = heron_folder_get_role (folder);
          _heron_folder_update (folder, info, role);
        }
      placement.folder = folder;
      g_array_append_val (placements, placement);
      g_hash_table_add (seen, &info->id);
      g_hash_table_insert (by_name, (gpointer) heron_folder_get_name (folder), folder);
      if (role == HERON_FOLDER_ROLE_INBOX && self->inbox == NULL)
        self->inbox = folder;
    }

  /* 2. the folders the cache no longer has leave the tree */
  gone = g_ptr_array_new_with_free_func (g_object_unref);
  g_hash_table_iter_init (&iter, self->folders_by_id);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      if (g_hash_table_contains (seen, key))
        continue;
      g_ptr_array_add (gone, g_object_ref (value));
      g_hash_table_iter_remove (&iter);
    }
  for (guint i = 0; i < gone->len; i++)
    {
      HeronFolder *folder = g_ptr_array_index (gone, i);
      GListStore *children = G_LIST_STORE (heron_folder_get_children (folder));

      unplace (self, folder);
      _heron_folder_set_parent (folder, NULL);
      g_list_store_remove_all (children);
      _heron_folder_detach (folder);
    }

  /* 3. each folder under its parent (by name), re-sorted when its name or role changed */
  for (guint i = 0; i < placements->len; i++)
    {
      Placement *placement = &g_array_index (placements, Placement, i);
      HeronFolder *folder = placement->folder;
      HeronStoreFolder *info = g_ptr_array_index (rows, i);
      g_autofree char *parent_name = heron_store_folder_dup_parent_name (info);
      HeronFolder *parent = parent_name != NULL ? g_hash_table_lookup (by_name, parent_name) : NULL;
      gboolean moved;

      if (parent == folder)
        parent = NULL;
      moved = placement->is_new || parent != heron_folder_get_parent (folder) ||
              g_strcmp0 (placement->old_name, heron_folder_get_name (folder)) != 0 ||
              placement->old_role != heron_folder_get_role (folder);
      if (!moved)
        continue;
      if (!placement->is_new)
        unplace (self, folder);
      _heron_folder_set_parent (folder, parent);
      if (parent != NULL)
        _heron_folder_add_child (parent, folder);
      else
        g_list_store_insert_sorted (self->folders, folder, _heron_folder_compare, NULL);
    }

  if (old_inbox != self->inbox && self->manager != NULL)
    _heron_account_manager_inbox_changed (self->manager);
}

/* One folder's row changed (its counts or sync state: FOLDER_CHANGED, one per committed chunk
 * of a sync): that row only. A folder the tree does not have yet, or one whose name or role
 * changed, takes the whole list. */
static void
reload_folder (HeronAccount *self,
               const char   *name)
{
  g_autoptr(HeronStoreFolder) info = NULL;
  g_autoptr(GError) error = NULL;
  HeronFolder *folder;

  if (self->reader == NULL)
    return;
  folder = name != NULL ? heron_account_lookup_folder (self, name) : NULL;
  if (folder == NULL)
    {
      reload_folders (self);
      return;
    }
  info = heron_store_reader_get_folder (self->reader, _heron_folder_get_id (folder), &error);
  if (info == NULL)
    {
      if (!g_error_matches (error, HERON_STORE_ERROR, HERON_STORE_ERROR_NOT_FOUND))
        g_warning ("%s: cannot read the folder %s: %s", heron_account_get_id (self), name, error->message);
      reload_folders (self);
      return;
    }
  if (g_strcmp0 (info->name, heron_folder_get_name (folder)) != 0 ||
      role_for (self, info) != heron_folder_get_role (folder))
    {
      reload_folders (self);
      return;
    }
  _heron_folder_update (folder, info, heron_folder_get_role (folder));
}

/* The account (private) */

HeronAccount *
_heron_account_new (HeronAccountManager             *manager,
                    HeronAccountConfig              *config,
                    const HeronAccountWorkerOptions *options,
                    GError                         **error)
{
  g_autoptr(HeronAccount) self = NULL;

  g_return_val_if_fail (HERON_IS_ACCOUNT_CONFIG (config), NULL);
  g_return_val_if_fail (heron_account_config_get_id (config) != NULL, NULL);

  self = g_object_new (HERON_TYPE_ACCOUNT, NULL);
  if (manager != NULL)
    {
      self->manager = manager;
      g_object_add_weak_pointer (G_OBJECT (manager), (gpointer *) &self->manager);
    }
  self->config = g_object_ref (config);

  if (options != NULL)
    self->options = *options;
  else
    heron_account_worker_options_init (&self->options);
  /* A password given here (a GNOME Online Accounts account's: the keyring does not have it) is
   * kept for every worker of the account; otherwise the worker looks in the keyring. */
  self->password = g_strdup (self->options.password);
  self->options.password = self->password;
  self->smtp_password = g_strdup (self->options.smtp_password);
  self->options.smtp_password = self->smtp_password;
  g_set_object (&self->oauth2_provider, self->options.oauth2_provider);
  self->options.oauth2_provider = self->oauth2_provider;
  self->store_path = self->options.store_path != NULL ? g_strdup (self->options.store_path) :
                     heron_store_dup_default_path (heron_account_config_get_id (config));
  self->options.store_path = self->store_path;
  g_set_object (&self->tls_database, self->options.tls_database);
  self->options.tls_database = self->tls_database;

  self->worker = heron_account_worker_new (config, &self->options, error);
  if (self->worker == NULL)
    return NULL;
  g_signal_connect_object (self->worker, "event", G_CALLBACK (on_worker_event), self, 0);
  return g_steal_pointer (&self);
}

/* Past this, the write-ahead log left by the last run is not read on the main thread. */
#define EARLY_READER_MAX_WAL (4 * 1024 * 1024)

/* TRUE when opening the cache costs little: the first connection to a cache rebuilds the index
 * of its write-ahead log by reading the whole log, and a log the last run could not checkpoint
 * (readers held snapshots through a long sync) can be hundreds of megabytes. */
static gboolean
cache_opens_fast (HeronAccount *self)
{
  g_autofree char *wal_path = g_strconcat (self->store_path, "-wal", NULL);
  GStatBuf st;

  if (g_stat (wal_path, &st) != 0)
    return TRUE;
  g_debug ("%s: the write-ahead log left is %" G_GINT64_FORMAT " bytes", heron_account_get_id (self),
           (gint64) st.st_size);
  return st.st_size <= EARLY_READER_MAX_WAL;
}

void
_heron_account_start (HeronAccount *self)
{
  g_return_if_fail (HERON_IS_ACCOUNT (self));

  /* A cache the worker made on an earlier run is read at once, so the folders (and the first
   * rows of a list) do not wait for the worker's thread to open the cache and report. A cache
   * that does not exist yet, or that the worker must migrate first, is refused by the reader
   * (its schema version) and opened at the worker's first event as before; so is one with a
   * long write-ahead log, which the worker's thread reads instead of the main thread. */
  if (cache_opens_fast (self))
    ensure_reader (self);
  if (self->worker != NULL)
    heron_account_worker_start (self->worker);
}

void
_heron_account_close (HeronAccount *self)
{
  g_return_if_fail (HERON_IS_ACCOUNT (self));

  g_signal_emit (self, signals[SIGNAL_CLOSING], 0);
  _heron_account_stop (self);
}

void
_heron_account_stop (HeronAccount *self)
{
  g_return_if_fail (HERON_IS_ACCOUNT (self));

  if (self->worker != NULL)
    {
      heron_account_worker_stop (self->worker);
      g_signal_handlers_disconnect_by_data (self->worker, self);
      g_clear_object (&self->worker);
    }
  g_clear_object (&self->reader);
  set_busy (self, FALSE, -1.0);
  set_state (self, HERON_SYNC_STATE_STOPPED);
}

gboolean
_heron_account_set_config (HeronAccount        *self,
                           HeronAccountConfig  *config,
                           gboolean             restart,
                           GError             **error)
{
  g_autoptr(HeronAccountWorker) worker = NULL;

  g_return_val_if_fail (HERON_IS_ACCOUNT (self), FALSE);
  g_return_val_if_fail (HERON_IS_ACCOUNT_CONFIG (config), FALSE);

  if (restart)
    {
      /* the new worker first: a config it cannot use leaves the running one alone */
      worker = heron_account_worker_new (config, &self->options, error);
      if (worker == NULL)
        return FALSE;
    }

  g_set_object (&self->config, config);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DISPLAY_NAME]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_EMAIL]);

  if (restart)
    {
      if (self->worker != NULL)
        {
          heron_account_worker_stop (self->worker);
          g_signal_handlers_disconnect_by_data (self->worker, self);
          g_clear_object (&self->worker);
        }
      self->worker = g_steal_pointer (&worker);
      g_signal_connect_object (self->worker, "event", G_CALLBACK (on_worker_event), self, 0);
      heron_account_worker_start (self->worker);
      /* what the old worker said no longer holds; the new one connects at once */
      set_busy (self, FALSE, -1.0);
      set_state (self, HERON_SYNC_STATE_CONNECTING);
    }

  /* the roles follow the config's overrides */
  reload_folders (self);
  return TRUE;
}

HeronStoreReader *
_heron_account_get_reader (HeronAccount *self)
{
  g_return_val_if_fail (HERON_IS_ACCOUNT (self), NULL);

  ensure_reader (self);
  return self->reader;
}

HeronAccountWorker *
_heron_account_get_worker (HeronAccount *self)
{
  g_return_val_if_fail (HERON_IS_ACCOUNT (self), NULL);

  return self->worker;
}

HeronAccountManager *
_heron_account_get_manager (HeronAccount *self)
{
  g_return_val_if_fail (HERON_IS_ACCOUNT (self), NULL);

  return self->manager;
}

HeronFolder *
_heron_account_lookup_folder_by_id (HeronAccount *self,
                                    gint64        folder_id)
{
  g_return_val_if_fail (HERON_IS_ACCOUNT (self), NULL);

  return g_hash_table_lookup (self->folders_by_id, &folder_id);
}

GPtrArray *
_heron_account_list_folders (HeronAccount *self)
{
  GPtrArray *folders;
  GHashTableIter iter;
  gpointer value;

  g_return_val_if_fail (HERON_IS_ACCOUNT (self), NULL);

  folders = g_ptr_array_new ();
  g_hash_table_iter_init (&iter, self->folders_by_id);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    g_ptr_array_add (folders, value);
  return folders;
}

HeronFolder *
_heron_account_get_inbox (HeronAccount *self)
{
  g_return_val_if_fail (HERON_IS_ACCOUNT (self), NULL);

  return self->inbox;
}

/* Properties */

const char *
heron_account_get_id (HeronAccount *self)
{
  g_return_val_if_fail (HERON_IS_ACCOUNT (self), NULL);

  return heron_account_config_get_id (self->config);
}

const char *
heron_account_get_email (HeronAccount *self)
{
  HeronAccountIdentity *identity;

  g_return_val_if_fail (HERON_IS_ACCOUNT (self), NULL);

  identity = heron_account_config_get_primary_identity (self->config);
  return identity != NULL ? heron_account_identity_get_address (identity) : NULL;
}

const char *
heron_account_get_display_name (HeronAccount *self)
{
  const char *name;

  g_return_val_if_fail (HERON_IS_ACCOUNT (self), NULL);

  name = heron_account_config_get_display_name (self->config);
  if (name != NULL && *name != '\0')
    return name;
  name = heron_account_get_email (self);
  return name != NULL ? name : heron_account_get_id (self);
}

HeronAccountConfig *
heron_account_get_config (HeronAccount *self)
{
  g_return_val_if_fail (HERON_IS_ACCOUNT (self), NULL);

  return self->config;
}

HeronSyncState
heron_account_get_state (HeronAccount *self)
{
  g_return_val_if_fail (HERON_IS_ACCOUNT (self), HERON_SYNC_STATE_STOPPED);

  return self->state;
}

const GError *
heron_account_get_error (HeronAccount *self)
{
  g_return_val_if_fail (HERON_IS_ACCOUNT (self), NULL);

  return self->error;
}

gboolean
heron_account_get_busy (HeronAccount *self)
{
  g_return_val_if_fail (HERON_IS_ACCOUNT (self), FALSE);

  return self->busy;
}

double
heron_account_get_progress (HeronAccount *self)
{
  g_return_val_if_fail (HERON_IS_ACCOUNT (self), -1.0);

  return self->progress;
}

guint
heron_account_get_n_pending (HeronAccount *self)
{
  g_return_val_if_fail (HERON_IS_ACCOUNT (self), 0);

  return self->n_pending;
}

const char *
heron_account_get_store_path (HeronAccount *self)
{
  g_return_val_if_fail (HERON_IS_ACCOUNT (self), NULL);

  return self->store_path;
}

GListModel *
heron_account_get_folders (HeronAccount *self)
{
  g_return_val_if_fail (HERON_IS_ACCOUNT (self), NULL);

  return G_LIST_MODEL (self->folders);
}

HeronFolder *
heron_account_lookup_folder (HeronAccount *self,
                             const char   *name)
{
  GHashTableIter iter;
  gpointer value;

  g_return_val_if_fail (HERON_IS_ACCOUNT (self), NULL);
  g_return_val_if_fail (name != NULL, NULL);

  if (g_ascii_strcasecmp (name, "INBOX") == 0 && self->inbox != NULL)
    return self->inbox;
  g_hash_table_iter_init (&iter, self->folders_by_id);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      if (g_strcmp0 (heron_folder_get_name (value), name) == 0)
        return value;
    }
  return NULL;
}

HeronFolder *
heron_account_get_folder_for_role (HeronAccount    *self,
                                   HeronFolderRole  role)
{
  HeronFolder *found = NULL;
  GHashTableIter iter;
  gpointer value;

  g_return_val_if_fail (HERON_IS_ACCOUNT (self), NULL);

  if (role == HERON_FOLDER_ROLE_NONE)
    return NULL;
  /* several folders of one role (two \Trash): the oldest in the cache, as the worker picks */
  g_hash_table_iter_init (&iter, self->folders_by_id);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      if (heron_folder_get_role (value) == role &&
          (found == NULL || _heron_folder_get_id (value) < _heron_folder_get_id (found)))
        found = value;
    }
  return found;
}

/* Logging in and certificates */

static void
on_password_stored (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  if (!heron_secrets_store_finish (result, &error))
    g_warning ("Cannot keep the password in the keyring: %s", error->message);
}

void
heron_account_retry_login (HeronAccount *self,
                           const char   *password,
                           gboolean      remember)
{
  HeronAccountServer *imap;
  HeronAccountServer *smtp;

  g_return_if_fail (HERON_IS_ACCOUNT (self));

  /* A GNOME Online Accounts account tries GOA's passwords of now (IMAP and SMTP): the manager
   * reads them again and starts the account with them. */
  if (password == NULL && self->manager != NULL &&
      heron_account_config_get_goa_account_id (self->config) != NULL &&
      _heron_account_manager_retry_goa_login (self->manager, self))
    return;

  imap = heron_account_config_get_imap (self->config);
  smtp = heron_account_config_get_smtp (self->config);
  /* A GNOME Online Accounts account's password is GOA's: Heron keeps no copy of it. */
  if (password != NULL && remember && heron_account_config_get_goa_account_id (self->config) == NULL)
    {
      heron_secrets_store_async (heron_account_get_id (self), HERON_ACCOUNT_PROTOCOL_IMAP,
                                 heron_account_server_get_host (imap),
                                 heron_account_server_get_user (imap), password,
                                 NULL, on_password_stored, NULL);
      /* The same login for sending (the common case): a new password is new for both. */
      if (heron_account_server_get_auth (smtp) == HERON_ACCOUNT_AUTH_PASSWORD &&
          g_strcmp0 (heron_account_server_get_user (smtp), heron_account_server_get_user (imap)) == 0)
        heron_secrets_store_async (heron_account_get_id (self), HERON_ACCOUNT_PROTOCOL_SMTP,
                                   heron_account_server_get_host (smtp),
                                   heron_account_server_get_user (smtp), password,
                                   NULL, on_password_stored, NULL);
    }
  if (self->worker != NULL)
    heron_account_worker_retry_login (self->worker, password);
}

void
_heron_account_set_passwords (HeronAccount *self,
                              const char   *password,
                              const char   *smtp_password)
{
  char *old_password;
  char *old_smtp_password;

  g_return_if_fail (HERON_IS_ACCOUNT (self));

  old_password = self->password;
  old_smtp_password = self->smtp_password;
  self->password = g_strdup (password);
  self->options.password = self->password;
  self->smtp_password = g_strdup (smtp_password);
  self->options.smtp_password = self->smtp_password;
  /* (the running worker made copies of its own) */
  if (old_password != NULL)
    heron_secrets_free (old_password);
  if (old_smtp_password != NULL)
    heron_secrets_free (old_smtp_password);
}

const char *
heron_account_get_untrusted_certificate (HeronAccount  *self,
                                         const char   **out_fingerprint)
{
  g_return_val_if_fail (HERON_IS_ACCOUNT (self), NULL);

  if (out_fingerprint != NULL)
    *out_fingerprint = self->untrusted_fingerprint;
  return self->untrusted_pem;
}

void
heron_account_trust_certificate (HeronAccount *self,
                                 const char   *pem)
{
  g_autoptr(HeronAccountConfig) config = NULL;
  g_autoptr(GError) error = NULL;
  HeronAccountServer *imap;
  HeronAccountConfigStore *store;

  g_return_if_fail (HERON_IS_ACCOUNT (self));
  g_return_if_fail (pem != NULL);

  config = heron_account_config_copy (self->config);
  imap = heron_account_config_get_imap (config);
  heron_account_server_set_pinned_certificate_file (imap, NULL);
  heron_account_server_set_pinned_certificate_pem (imap, pem);

  store = self->manager != NULL ? _heron_account_manager_get_config_store (self->manager) : NULL;
  if ((store != NULL && !heron_account_config_store_save (store, config, &error)) ||
      !_heron_account_set_config (self, config, TRUE, &error))
    {
      g_warning ("%s: cannot pin the certificate: %s", heron_account_get_id (self), error->message);
      set_error (self, error);
      return;
    }
  clear_untrusted (self);
}

void
_heron_account_refresh (HeronAccount *self)
{
  g_return_if_fail (HERON_IS_ACCOUNT (self));

  if (!ensure_reader (self))
    return;
  reload_folders (self);
  update_n_pending (self);
}

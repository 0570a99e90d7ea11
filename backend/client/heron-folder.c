/* heron-folder.c: HeronFolder, one mailbox of an account
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A folder is a view of one row of the cache's folders table: the HeronAccount makes one per
 * folder id when the folder list first shows it, hands it every newer row (a rename keeps the
 * id, so the object and whoever holds it follow), and drops it from the tree when the cache no
 * longer has it. The tree itself is the account's work: a folder only keeps its children's list
 * (sorted) and a weak pointer to its parent.
 */

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "heron-folder.h"
#include "heron-client-private.h"

struct _HeronFolder
{
  GObject          parent_instance;

  HeronAccount    *account;       /* weak */
  HeronFolder     *parent;        /* weak */
  GListStore      *children;      /* HeronFolder, sorted */
  GWeakRef         messages;      /* HeronMessageList */

  gint64           id;
  char            *name;
  char            *display_name;
  char            *path;
  HeronFolderRole  role;
  guint            unread_count;
  guint            total_count;
  gboolean         selectable;
  gboolean         subscribed;
  char             delimiter;
};

G_DEFINE_FINAL_TYPE (HeronFolder, heron_folder, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_ACCOUNT,
  PROP_NAME,
  PROP_DISPLAY_NAME,
  PROP_PATH,
  PROP_ROLE,
  PROP_ICON_NAME,
  PROP_UNREAD_COUNT,
  PROP_TOTAL_COUNT,
  PROP_SELECTABLE,
  PROP_SUBSCRIBED,
  PROP_DELIMITER,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
heron_folder_dispose (GObject *object)
{
  HeronFolder *self = HERON_FOLDER (object);

  _heron_folder_detach (self);
  _heron_folder_set_parent (self, NULL);
  if (self->children != NULL)
    g_list_store_remove_all (self->children);

  G_OBJECT_CLASS (heron_folder_parent_class)->dispose (object);
}

static void
heron_folder_finalize (GObject *object)
{
  HeronFolder *self = HERON_FOLDER (object);

  g_clear_object (&self->children);
  g_weak_ref_clear (&self->messages);
  g_free (self->name);
  g_free (self->display_name);
  g_free (self->path);

  G_OBJECT_CLASS (heron_folder_parent_class)->finalize (object);
}

static void
heron_folder_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  HeronFolder *self = HERON_FOLDER (object);

  switch (prop_id)
    {
    case PROP_ACCOUNT:
      g_value_set_object (value, self->account);
      break;
    case PROP_NAME:
      g_value_set_string (value, self->name);
      break;
    case PROP_DISPLAY_NAME:
      g_value_set_string (value, self->display_name);
      break;
    case PROP_PATH:
      g_value_set_string (value, self->path);
      break;
    case PROP_ROLE:
      g_value_set_enum (value, self->role);
      break;
    case PROP_ICON_NAME:
      g_value_set_string (value, heron_folder_get_icon_name (self));
      break;
    case PROP_UNREAD_COUNT:
      g_value_set_uint (value, self->unread_count);
      break;
    case PROP_TOTAL_COUNT:
      g_value_set_uint (value, self->total_count);
      break;
    case PROP_SELECTABLE:
      g_value_set_boolean (value, self->selectable);
      break;
    case PROP_SUBSCRIBED:
      g_value_set_boolean (value, self->subscribed);
      break;
    case PROP_DELIMITER:
      g_value_set_schar (value, self->delimiter);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
heron_folder_class_init (HeronFolderClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->dispose = heron_folder_dispose;
  object_class->finalize = heron_folder_finalize;
  object_class->get_property = heron_folder_get_property;

  properties[PROP_ACCOUNT] =
    g_param_spec_object ("account", NULL, NULL, HERON_TYPE_ACCOUNT, flags);
  properties[PROP_NAME] =
    g_param_spec_string ("name", NULL, NULL, NULL, flags);
  properties[PROP_DISPLAY_NAME] =
    g_param_spec_string ("display-name", NULL, NULL, NULL, flags);
  properties[PROP_PATH] =
    g_param_spec_string ("path", NULL, NULL, NULL, flags);
  properties[PROP_ROLE] =
    g_param_spec_enum ("role", NULL, NULL, HERON_TYPE_FOLDER_ROLE, HERON_FOLDER_ROLE_NONE, flags);
  properties[PROP_ICON_NAME] =
    g_param_spec_string ("icon-name", NULL, NULL, NULL, flags);
  properties[PROP_UNREAD_COUNT] =
    g_param_spec_uint ("unread-count", NULL, NULL, 0, G_MAXUINT, 0, flags);
  properties[PROP_TOTAL_COUNT] =
    g_param_spec_uint ("total-count", NULL, NULL, 0, G_MAXUINT, 0, flags);
  properties[PROP_SELECTABLE] =
    g_param_spec_boolean ("selectable", NULL, NULL, TRUE, flags);
  properties[PROP_SUBSCRIBED] =
    g_param_spec_boolean ("subscribed", NULL, NULL, FALSE, flags);
  properties[PROP_DELIMITER] =
    g_param_spec_char ("delimiter", NULL, NULL, G_MININT8, G_MAXINT8, 0, flags);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
heron_folder_init (HeronFolder *self)
{
  self->children = g_list_store_new (HERON_TYPE_FOLDER);
  self->selectable = TRUE;
  g_weak_ref_init (&self->messages, NULL);
}

/* Private */

static gboolean
set_string (char       **field,
            const char  *value)
{
  if (g_strcmp0 (*field, value) == 0)
    return FALSE;
  g_free (*field);
  *field = g_strdup (value);
  return TRUE;
}

/* The last part of the decoded path ("GNOME" for "Lists/GNOME"); "Inbox" for INBOX. */
static char *
make_display_name (const HeronStoreFolder *info)
{
  const char *path = info->display_name != NULL ? info->display_name : info->name;
  const char *last = NULL;

  if (g_ascii_strcasecmp (info->name, "INBOX") == 0)
    return g_strdup (_("Inbox"));
  if (info->delimiter != '\0')
    last = strrchr (path, info->delimiter);
  /* "Lists/" (a name ending in the delimiter) keeps its whole text */
  if (last != NULL && last[1] != '\0')
    return g_strdup (last + 1);
  return g_strdup (path);
}

HeronFolder *
_heron_folder_new (HeronAccount           *account,
                   const HeronStoreFolder *info,
                   HeronFolderRole         role)
{
  HeronFolder *self;

  g_return_val_if_fail (HERON_IS_ACCOUNT (account), NULL);
  g_return_val_if_fail (info != NULL, NULL);

  self = g_object_new (HERON_TYPE_FOLDER, NULL);
  self->account = account;
  g_object_add_weak_pointer (G_OBJECT (account), (gpointer *) &self->account);
  self->id = info->id;
  g_object_freeze_notify (G_OBJECT (self));
  _heron_folder_update (self, info, role);
  g_object_thaw_notify (G_OBJECT (self));
  return self;
}

/* Folder counts. The cache counts the messages it has; a folder that was never synced has none,
 * so its counts are what the server's STATUS said, when the cache kept them. */
static void
counts_for (HeronFolder            *self,
            const HeronStoreFolder *info,
            guint                  *out_total,
            guint                  *out_unread)
{
  *out_total = info->n_messages;
  *out_unread = info->n_unread;
  if (info->uidvalidity != 0)
    return;
  if (info->server_messages >= 0)
    *out_total = (guint) info->server_messages;
  if (info->server_unseen >= 0)
    *out_unread = (guint) info->server_unseen;
}

void
_heron_folder_update (HeronFolder            *self,
                      const HeronStoreFolder *info,
                      HeronFolderRole         role)
{
  g_autofree char *display_name = NULL;
  const char *path;
  gboolean selectable;
  guint total, unread;
  GObject *object = G_OBJECT (self);

  g_return_if_fail (HERON_IS_FOLDER (self));
  g_return_if_fail (info != NULL && info->id == self->id);

  g_object_freeze_notify (object);

  if (set_string (&self->name, info->name))
    g_object_notify_by_pspec (object, properties[PROP_NAME]);

  display_name = make_display_name (info);
  if (set_string (&self->display_name, display_name))
    g_object_notify_by_pspec (object, properties[PROP_DISPLAY_NAME]);

  path = g_ascii_strcasecmp (info->name, "INBOX") == 0 ? display_name :
         info->display_name != NULL ? info->display_name : info->name;
  if (set_string (&self->path, path))
    g_object_notify_by_pspec (object, properties[PROP_PATH]);

  if (self->role != role)
    {
      self->role = role;
      g_object_notify_by_pspec (object, properties[PROP_ROLE]);
      g_object_notify_by_pspec (object, properties[PROP_ICON_NAME]);
    }

  counts_for (self, info, &total, &unread);
  if (self->total_count != total)
    {
      self->total_count = total;
      g_object_notify_by_pspec (object, properties[PROP_TOTAL_COUNT]);
    }
  if (self->unread_count != unread)
    {
      self->unread_count = unread;
      g_object_notify_by_pspec (object, properties[PROP_UNREAD_COUNT]);
    }

  selectable = (info->attributes & (HERON_STORE_FOLDER_NOSELECT | HERON_STORE_FOLDER_NONEXISTENT)) == 0;
  if (self->selectable != selectable)
    {
      self->selectable = selectable;
      g_object_notify_by_pspec (object, properties[PROP_SELECTABLE]);
    }
  if (self->subscribed != !!info->subscribed)
    {
      self->subscribed = !!info->subscribed;
      g_object_notify_by_pspec (object, properties[PROP_SUBSCRIBED]);
    }
  if (self->delimiter != info->delimiter)
    {
      self->delimiter = info->delimiter;
      g_object_notify_by_pspec (object, properties[PROP_DELIMITER]);
    }

  g_object_thaw_notify (object);
}

void
_heron_folder_set_parent (HeronFolder *self,
                          HeronFolder *parent)
{
  g_return_if_fail (HERON_IS_FOLDER (self));

  if (self->parent == parent)
    return;
  if (self->parent != NULL)
    g_object_remove_weak_pointer (G_OBJECT (self->parent), (gpointer *) &self->parent);
  self->parent = parent;
  if (parent != NULL)
    g_object_add_weak_pointer (G_OBJECT (parent), (gpointer *) &self->parent);
}

int
_heron_folder_compare (gconstpointer a,
                       gconstpointer b,
                       gpointer      user_data)
{
  const HeronFolder *folder_a = a;
  const HeronFolder *folder_b = b;
  guint rank_a = folder_a->role == HERON_FOLDER_ROLE_NONE ? G_MAXUINT : (guint) folder_a->role;
  guint rank_b = folder_b->role == HERON_FOLDER_ROLE_NONE ? G_MAXUINT : (guint) folder_b->role;
  int cmp;

  if (rank_a != rank_b)
    return rank_a < rank_b ? -1 : 1;
  cmp = g_utf8_collate (folder_a->display_name, folder_b->display_name);
  if (cmp != 0)
    return cmp;
  return strcmp (folder_a->name, folder_b->name);
}

void
_heron_folder_add_child (HeronFolder *self,
                         HeronFolder *child)
{
  g_return_if_fail (HERON_IS_FOLDER (self));
  g_return_if_fail (HERON_IS_FOLDER (child));

  g_list_store_insert_sorted (self->children, child, _heron_folder_compare, NULL);
}

void
_heron_folder_remove_child (HeronFolder *self,
                            HeronFolder *child)
{
  guint position;

  g_return_if_fail (HERON_IS_FOLDER (self));

  if (g_list_store_find (self->children, child, &position))
    g_list_store_remove (self->children, position);
}

void
_heron_folder_detach (HeronFolder *self)
{
  g_return_if_fail (HERON_IS_FOLDER (self));

  if (self->account == NULL)
    return;
  g_object_remove_weak_pointer (G_OBJECT (self->account), (gpointer *) &self->account);
  self->account = NULL;
}

gint64
_heron_folder_get_id (HeronFolder *self)
{
  g_return_val_if_fail (HERON_IS_FOLDER (self), 0);

  return self->id;
}

/* Public */

HeronAccount *
heron_folder_get_account (HeronFolder *self)
{
  g_return_val_if_fail (HERON_IS_FOLDER (self), NULL);

  return self->account;
}

const char *
heron_folder_get_name (HeronFolder *self)
{
  g_return_val_if_fail (HERON_IS_FOLDER (self), NULL);

  return self->name;
}

const char *
heron_folder_get_display_name (HeronFolder *self)
{
  g_return_val_if_fail (HERON_IS_FOLDER (self), NULL);

  return self->display_name;
}

const char *
heron_folder_get_path (HeronFolder *self)
{
  g_return_val_if_fail (HERON_IS_FOLDER (self), NULL);

  return self->path;
}

HeronFolderRole
heron_folder_get_role (HeronFolder *self)
{
  g_return_val_if_fail (HERON_IS_FOLDER (self), HERON_FOLDER_ROLE_NONE);

  return self->role;
}

const char *
heron_folder_get_icon_name (HeronFolder *self)
{
  g_return_val_if_fail (HERON_IS_FOLDER (self), NULL);

  return heron_folder_role_get_icon_name (self->role);
}

guint
heron_folder_get_unread_count (HeronFolder *self)
{
  g_return_val_if_fail (HERON_IS_FOLDER (self), 0);

  return self->unread_count;
}

guint
heron_folder_get_total_count (HeronFolder *self)
{
  g_return_val_if_fail (HERON_IS_FOLDER (self), 0);

  return self->total_count;
}

gboolean
heron_folder_get_selectable (HeronFolder *self)
{
  g_return_val_if_fail (HERON_IS_FOLDER (self), FALSE);

  return self->selectable;
}

char
heron_folder_get_delimiter (HeronFolder *self)
{
  g_return_val_if_fail (HERON_IS_FOLDER (self), '\0');

  return self->delimiter;
}

HeronFolder *
heron_folder_get_parent (HeronFolder *self)
{
  g_return_val_if_fail (HERON_IS_FOLDER (self), NULL);

  return self->parent;
}

GListModel *
heron_folder_get_children (HeronFolder *self)
{
  g_return_val_if_fail (HERON_IS_FOLDER (self), NULL);

  return G_LIST_MODEL (self->children);
}

GListModel *
heron_folder_get_messages (HeronFolder *self)
{
  HeronMessageList *list;

  g_return_val_if_fail (HERON_IS_FOLDER (self), NULL);

  /* Kept while someone holds it: the folder has a weak reference only, so a list nobody shows
   * stops following the cache. The returned reference is the caller's (transfer full). */
  list = g_weak_ref_get (&self->messages);
  if (list == NULL)
    {
      list = _heron_message_list_new_for_folder (self);
      g_weak_ref_set (&self->messages, list);
    }
  return G_LIST_MODEL (list);
}

HeronMessage *
heron_folder_lookup_message (HeronFolder *self,
                             gint64       uid)
{
  g_autoptr(HeronStoreMessage) row = NULL;
  g_autoptr(GError) error = NULL;
  HeronStoreReader *reader;

  g_return_val_if_fail (HERON_IS_FOLDER (self), NULL);

  if (self->account == NULL || (reader = _heron_account_get_reader (self->account)) == NULL)
    return NULL;

  /* A message made here may carry its local UID still; the cache knows what it is now. */
  if (!heron_store_reader_resolve_uid (reader, self->id, uid, &uid, &error))
    {
      g_debug ("%s: cannot resolve UID %" G_GINT64_FORMAT ": %s", self->name, uid, error->message);
      return NULL;
    }
  row = heron_store_reader_get_message (reader, self->id, uid, &error);
  if (row == NULL)
    {
      if (!g_error_matches (error, HERON_STORE_ERROR, HERON_STORE_ERROR_NOT_FOUND))
        g_debug ("%s: cannot read message %" G_GINT64_FORMAT ": %s", self->name, uid, error->message);
      return NULL;
    }
  return _heron_message_new (self->account, self, row);
}

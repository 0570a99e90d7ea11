/* heron-message.c: HeronMessage, one message as the list and the reader show it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A message is a small view of one row of the cache's messages table, made by a
 * HeronMessageList when a row is asked for (or by the account for a conversation or a saved
 * draft). Whoever made it hands it newer rows of the same message (_heron_message_update()),
 * so flags set here or on another device show on every object that is alive; nothing keeps one
 * per row of a folder.
 *
 * Loading the body: the summary is read again from the account's reader (the body may have
 * become local since the row was read); a local source is opened on the main thread (the
 * reader belongs to it) and parsed by GMime in a GTask thread with objects of its own; a body
 * that is not local is fetched by the worker first (HERON_SYNC_ERROR_OFFLINE when it cannot).
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "heron-message.h"
#include "heron-client-private.h"
#include "mime/heron-mime-sender.h"

struct _HeronMessage
{
  GObject       parent_instance;

  HeronAccount *account;
  HeronFolder  *folder;          /* NULL when its folder left the account */
  gint64        folder_id;
  gint64        uid;

  char         *subject;
  char         *sender_name;
  char         *sender_address;
  char         *sender_display;
  char         *to;
  gint64        date;            /* unix seconds, the list's sort key */
  GDateTime    *date_time;       /* made on demand */
  char         *snippet;
  guint         flags;           /* HeronStoreFlags == HeronMessageFlags */
  gboolean      has_attachment;
  gboolean      body_local;
  gint64        conversation_id;
  char         *message_id;      /* not in list rows: read on demand */
  gboolean      have_message_id;
  guint         conversation_size;   /* the threaded list's item: members of its conversation */
  guint         conversation_unread;
};

G_DEFINE_FINAL_TYPE (HeronMessage, heron_message, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_ACCOUNT,
  PROP_FOLDER,
  PROP_UID,
  PROP_SUBJECT,
  PROP_SENDER_NAME,
  PROP_SENDER_ADDRESS,
  PROP_SENDER_DISPLAY,
  PROP_TO,
  PROP_DATE,
  PROP_SNIPPET,
  PROP_FLAGS,
  PROP_SEEN,
  PROP_FLAGGED,
  PROP_ANSWERED,
  PROP_DRAFT,
  PROP_HAS_ATTACHMENT,
  PROP_BODY_LOCAL,
  PROP_CONVERSATION_ID,
  PROP_MESSAGE_ID,
  PROP_CONVERSATION_SIZE,
  PROP_CONVERSATION_UNREAD,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_STATIC_ASSERT ((int) HERON_MESSAGE_FLAG_SEEN == (int) HERON_STORE_FLAG_SEEN);
G_STATIC_ASSERT ((int) HERON_MESSAGE_FLAG_ANSWERED == (int) HERON_STORE_FLAG_ANSWERED);
G_STATIC_ASSERT ((int) HERON_MESSAGE_FLAG_FLAGGED == (int) HERON_STORE_FLAG_FLAGGED);
G_STATIC_ASSERT ((int) HERON_MESSAGE_FLAG_DELETED == (int) HERON_STORE_FLAG_DELETED);
G_STATIC_ASSERT ((int) HERON_MESSAGE_FLAG_DRAFT == (int) HERON_STORE_FLAG_DRAFT);

static void
heron_message_finalize (GObject *object)
{
  HeronMessage *self = HERON_MESSAGE (object);

  g_clear_object (&self->account);
  g_clear_object (&self->folder);
  g_free (self->subject);
  g_free (self->sender_name);
  g_free (self->sender_address);
  g_free (self->sender_display);
  g_free (self->to);
  g_clear_pointer (&self->date_time, g_date_time_unref);
  g_free (self->snippet);
  g_free (self->message_id);

  G_OBJECT_CLASS (heron_message_parent_class)->finalize (object);
}

static void
heron_message_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  HeronMessage *self = HERON_MESSAGE (object);

  switch (prop_id)
    {
    case PROP_ACCOUNT:
      g_value_set_object (value, self->account);
      break;
    case PROP_FOLDER:
      g_value_set_object (value, self->folder);
      break;
    case PROP_UID:
      g_value_set_int64 (value, self->uid);
      break;
    case PROP_SUBJECT:
      g_value_set_string (value, self->subject);
      break;
    case PROP_SENDER_NAME:
      g_value_set_string (value, self->sender_name);
      break;
    case PROP_SENDER_ADDRESS:
      g_value_set_string (value, self->sender_address);
      break;
    case PROP_SENDER_DISPLAY:
      g_value_set_string (value, self->sender_display);
      break;
    case PROP_TO:
      g_value_set_string (value, self->to);
      break;
    case PROP_DATE:
      g_value_set_boxed (value, heron_message_get_date (self));
      break;
    case PROP_SNIPPET:
      g_value_set_string (value, self->snippet);
      break;
    case PROP_FLAGS:
      g_value_set_flags (value, self->flags);
      break;
    case PROP_SEEN:
      g_value_set_boolean (value, (self->flags & HERON_MESSAGE_FLAG_SEEN) != 0);
      break;
    case PROP_FLAGGED:
      g_value_set_boolean (value, (self->flags & HERON_MESSAGE_FLAG_FLAGGED) != 0);
      break;
    case PROP_ANSWERED:
      g_value_set_boolean (value, (self->flags & HERON_MESSAGE_FLAG_ANSWERED) != 0);
      break;
    case PROP_DRAFT:
      g_value_set_boolean (value, (self->flags & HERON_MESSAGE_FLAG_DRAFT) != 0);
      break;
    case PROP_HAS_ATTACHMENT:
      g_value_set_boolean (value, self->has_attachment);
      break;
    case PROP_BODY_LOCAL:
      g_value_set_boolean (value, self->body_local);
      break;
    case PROP_CONVERSATION_ID:
      g_value_set_int64 (value, self->conversation_id);
      break;
    case PROP_MESSAGE_ID:
      g_value_set_string (value, heron_message_get_message_id (self));
      break;
    case PROP_CONVERSATION_SIZE:
      g_value_set_uint (value, self->conversation_size);
      break;
    case PROP_CONVERSATION_UNREAD:
      g_value_set_uint (value, self->conversation_unread);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
heron_message_class_init (HeronMessageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags ro = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->finalize = heron_message_finalize;
  object_class->get_property = heron_message_get_property;

  properties[PROP_ACCOUNT] = g_param_spec_object ("account", NULL, NULL, HERON_TYPE_ACCOUNT, ro);
  properties[PROP_FOLDER] = g_param_spec_object ("folder", NULL, NULL, HERON_TYPE_FOLDER, ro);
  properties[PROP_UID] = g_param_spec_int64 ("uid", NULL, NULL, G_MININT64, G_MAXINT64, 0, ro);
  properties[PROP_SUBJECT] = g_param_spec_string ("subject", NULL, NULL, NULL, ro);
  properties[PROP_SENDER_NAME] = g_param_spec_string ("sender-name", NULL, NULL, NULL, ro);
  properties[PROP_SENDER_ADDRESS] = g_param_spec_string ("sender-address", NULL, NULL, NULL, ro);
  properties[PROP_SENDER_DISPLAY] = g_param_spec_string ("sender-display", NULL, NULL, NULL, ro);
  properties[PROP_TO] = g_param_spec_string ("to", NULL, NULL, NULL, ro);
  properties[PROP_DATE] = g_param_spec_boxed ("date", NULL, NULL, G_TYPE_DATE_TIME, ro);
  properties[PROP_SNIPPET] = g_param_spec_string ("snippet", NULL, NULL, NULL, ro);
  properties[PROP_FLAGS] = g_param_spec_flags ("flags", NULL, NULL, HERON_TYPE_MESSAGE_FLAGS, 0, ro);
  properties[PROP_SEEN] = g_param_spec_boolean ("seen", NULL, NULL, FALSE, ro);
  properties[PROP_FLAGGED] = g_param_spec_boolean ("flagged", NULL, NULL, FALSE, ro);
  properties[PROP_ANSWERED] = g_param_spec_boolean ("answered", NULL, NULL, FALSE, ro);
  properties[PROP_DRAFT] = g_param_spec_boolean ("draft", NULL, NULL, FALSE, ro);
  properties[PROP_HAS_ATTACHMENT] = g_param_spec_boolean ("has-attachment", NULL, NULL, FALSE, ro);
  properties[PROP_BODY_LOCAL] = g_param_spec_boolean ("body-local", NULL, NULL, FALSE, ro);
  properties[PROP_CONVERSATION_ID] = g_param_spec_int64 ("conversation-id", NULL, NULL,
                                                         G_MININT64, G_MAXINT64, 0, ro);
  properties[PROP_MESSAGE_ID] = g_param_spec_string ("message-id", NULL, NULL, NULL, ro);
  properties[PROP_CONVERSATION_SIZE] = g_param_spec_uint ("conversation-size", NULL, NULL, 0, G_MAXUINT, 0, ro);
  properties[PROP_CONVERSATION_UNREAD] = g_param_spec_uint ("conversation-unread", NULL, NULL, 0, G_MAXUINT, 0, ro);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
heron_message_init (HeronMessage *self)
{
}

/* The real-address rule (heron-mime-sender.h) for the list: the display name when nothing is
 * wrong with it (the address when there is none); the address alone when the name could pass
 * for another sender; "Name <address>" (cleaned) when the address itself is broken. */
static char *
make_sender_display (const char *name,
                     const char *address)
{
  g_autoptr(HeronMimeAddress) mailbox = heron_mime_address_new (name, address);
  HeronMimeSenderFlags flags = heron_mime_sender_check (mailbox);

  if (flags == HERON_MIME_SENDER_OK)
    {
      g_autofree char *clean = heron_mime_sender_clean_name (mailbox->name);

      g_strstrip (clean);
      if (clean[0] != '\0')
        return g_steal_pointer (&clean);
      return g_strdup (mailbox->address);
    }
  if ((flags & HERON_MIME_SENDER_BAD_ADDRESS) == 0 && mailbox->address[0] != '\0')
    return g_strdup (mailbox->address);
  if (mailbox->name[0] == '\0' && mailbox->address[0] == '\0')
    return g_strdup ("");

  {
    g_autoptr(GPtrArray) from = g_ptr_array_new_with_free_func ((GDestroyNotify) heron_mime_address_free);

    g_ptr_array_add (from, g_steal_pointer (&mailbox));
    return heron_mime_sender_display (from, NULL);
  }
}

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

HeronMessage *
_heron_message_new (HeronAccount            *account,
                    HeronFolder             *folder,
                    const HeronStoreMessage *row)
{
  HeronMessage *self;

  g_return_val_if_fail (HERON_IS_ACCOUNT (account), NULL);
  g_return_val_if_fail (folder == NULL || HERON_IS_FOLDER (folder), NULL);
  g_return_val_if_fail (row != NULL, NULL);

  self = g_object_new (HERON_TYPE_MESSAGE, NULL);
  self->account = g_object_ref (account);
  g_set_object (&self->folder, folder);
  self->folder_id = row->folder_id;
  self->uid = row->uid;
  self->subject = g_strdup (row->subject != NULL ? row->subject : "");
  self->sender_name = g_strdup (row->from_name != NULL ? row->from_name : "");
  self->sender_address = g_strdup (row->from_address != NULL ? row->from_address : "");
  self->sender_display = make_sender_display (self->sender_name, self->sender_address);
  self->to = g_strdup (row->to != NULL ? row->to : "");
  self->date = row->date;
  self->snippet = g_strdup (row->snippet);
  self->flags = row->flags & HERON_STORE_FLAGS_ALL;
  self->has_attachment = row->has_attachment;
  self->body_local = row->body_local;
  self->conversation_id = row->conversation_id;
  if (row->message_id != NULL)
    {
      self->message_id = g_strdup (row->message_id);
      self->have_message_id = TRUE;
    }
  return self;
}

void
_heron_message_update (HeronMessage            *self,
                       const HeronStoreMessage *row)
{
  GObject *object = G_OBJECT (self);
  guint flags;
  guint changed;

  g_return_if_fail (HERON_IS_MESSAGE (self));
  g_return_if_fail (row != NULL);
  g_return_if_fail (row->uid == self->uid);

  g_object_freeze_notify (object);

  flags = row->flags & HERON_STORE_FLAGS_ALL;
  changed = flags ^ self->flags;
  if (changed != 0)
    {
      self->flags = flags;
      g_object_notify_by_pspec (object, properties[PROP_FLAGS]);
      if (changed & HERON_MESSAGE_FLAG_SEEN)
        g_object_notify_by_pspec (object, properties[PROP_SEEN]);
      if (changed & HERON_MESSAGE_FLAG_FLAGGED)
        g_object_notify_by_pspec (object, properties[PROP_FLAGGED]);
      if (changed & HERON_MESSAGE_FLAG_ANSWERED)
        g_object_notify_by_pspec (object, properties[PROP_ANSWERED]);
      if (changed & HERON_MESSAGE_FLAG_DRAFT)
        g_object_notify_by_pspec (object, properties[PROP_DRAFT]);
    }
  if (self->body_local != row->body_local)
    {
      self->body_local = row->body_local;
      g_object_notify_by_pspec (object, properties[PROP_BODY_LOCAL]);
    }
  /* A snippet only ever becomes known (a list row and a full summary both carry it) */
  if (row->snippet != NULL && set_string (&self->snippet, row->snippet))
    g_object_notify_by_pspec (object, properties[PROP_SNIPPET]);
  if (self->has_attachment != row->has_attachment)
    {
      self->has_attachment = row->has_attachment;
      g_object_notify_by_pspec (object, properties[PROP_HAS_ATTACHMENT]);
    }
  if (self->conversation_id != row->conversation_id)
    {
      self->conversation_id = row->conversation_id;
      g_object_notify_by_pspec (object, properties[PROP_CONVERSATION_ID]);
    }
  if (self->date != row->date)
    {
      self->date = row->date;
      g_clear_pointer (&self->date_time, g_date_time_unref);
      g_object_notify_by_pspec (object, properties[PROP_DATE]);
    }
  /* The envelope of a UID never changes on the server; a row of a local message that got its
   * server copy may still differ, so take it in too. */
  if (row->subject != NULL && set_string (&self->subject, row->subject))
    g_object_notify_by_pspec (object, properties[PROP_SUBJECT]);
  if (row->to != NULL && set_string (&self->to, row->to))
    g_object_notify_by_pspec (object, properties[PROP_TO]);
  if (row->from_name != NULL || row->from_address != NULL)
    {
      gboolean name_changed = set_string (&self->sender_name, row->from_name != NULL ? row->from_name : "");
      gboolean address_changed = set_string (&self->sender_address, row->from_address != NULL ? row->from_address : "");

      if (name_changed)
        g_object_notify_by_pspec (object, properties[PROP_SENDER_NAME]);
      if (address_changed)
        g_object_notify_by_pspec (object, properties[PROP_SENDER_ADDRESS]);
      if (name_changed || address_changed)
        {
          g_autofree char *display = make_sender_display (self->sender_name, self->sender_address);

          if (set_string (&self->sender_display, display))
            g_object_notify_by_pspec (object, properties[PROP_SENDER_DISPLAY]);
        }
    }
  if (row->message_id != NULL && (!self->have_message_id || g_strcmp0 (self->message_id, row->message_id) != 0))
    {
      set_string (&self->message_id, row->message_id);
      self->have_message_id = TRUE;
      g_object_notify_by_pspec (object, properties[PROP_MESSAGE_ID]);
    }

  g_object_thaw_notify (object);
}

void
_heron_message_set_conversation_counts (HeronMessage *self,
                                        guint         size,
                                        guint         unread)
{
  g_return_if_fail (HERON_IS_MESSAGE (self));

  if (self->conversation_size != size)
    {
      self->conversation_size = size;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CONVERSATION_SIZE]);
    }
  if (self->conversation_unread != unread)
    {
      self->conversation_unread = unread;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CONVERSATION_UNREAD]);
    }
}

guint
heron_message_get_conversation_size (HeronMessage *self)
{
  g_return_val_if_fail (HERON_IS_MESSAGE (self), 0);

  return self->conversation_size;
}

guint
heron_message_get_conversation_unread (HeronMessage *self)
{
  g_return_val_if_fail (HERON_IS_MESSAGE (self), 0);

  return self->conversation_unread;
}

gint64
_heron_message_get_folder_id (HeronMessage *self)
{
  g_return_val_if_fail (HERON_IS_MESSAGE (self), 0);

  return self->folder_id;
}

HeronAccount *
heron_message_get_account (HeronMessage *self)
{
  g_return_val_if_fail (HERON_IS_MESSAGE (self), NULL);

  return self->account;
}

HeronFolder *
heron_message_get_folder (HeronMessage *self)
{
  g_return_val_if_fail (HERON_IS_MESSAGE (self), NULL);

  return self->folder;
}

gint64
heron_message_get_uid (HeronMessage *self)
{
  g_return_val_if_fail (HERON_IS_MESSAGE (self), 0);

  return self->uid;
}

const char *
heron_message_get_subject (HeronMessage *self)
{
  g_return_val_if_fail (HERON_IS_MESSAGE (self), NULL);

  return self->subject;
}

const char *
heron_message_get_sender_name (HeronMessage *self)
{
  g_return_val_if_fail (HERON_IS_MESSAGE (self), NULL);

  return self->sender_name;
}

const char *
heron_message_get_sender_address (HeronMessage *self)
{
  g_return_val_if_fail (HERON_IS_MESSAGE (self), NULL);

  return self->sender_address;
}

const char *
heron_message_get_sender_display (HeronMessage *self)
{
  g_return_val_if_fail (HERON_IS_MESSAGE (self), NULL);

  return self->sender_display;
}

const char *
heron_message_get_to (HeronMessage *self)
{
  g_return_val_if_fail (HERON_IS_MESSAGE (self), NULL);

  return self->to;
}

/* The local time zone. g_time_zone_new_local() reads /etc/localtime again on every call when
 * TZ is not set (a stat and a readlink each: a fifth of the time of scrolling a list, measured
 * with bench-message-list), so it is kept for a minute. */
static GTimeZone *
local_time_zone (void)
{
  static GMutex lock;
  static GTimeZone *zone;
  static gint64 loaded;
  gint64 now = g_get_monotonic_time ();
  GTimeZone *result;

  g_mutex_lock (&lock);
  if (zone == NULL || now - loaded > 60 * G_USEC_PER_SEC)
    {
      g_clear_pointer (&zone, g_time_zone_unref);
      zone = g_time_zone_new_local ();
      loaded = now;
    }
  result = g_time_zone_ref (zone);
  g_mutex_unlock (&lock);
  return result;
}

/* In local time, made when first asked (the list needs it only for the rows it shows). */
GDateTime *
heron_message_get_date (HeronMessage *self)
{
  g_return_val_if_fail (HERON_IS_MESSAGE (self), NULL);

  if (self->date_time == NULL)
    {
      g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (self->date);
      g_autoptr(GTimeZone) zone = local_time_zone ();

      if (utc != NULL)
        self->date_time = g_date_time_to_timezone (utc, zone);
      if (self->date_time == NULL)
        self->date_time = g_date_time_new_from_unix_utc (0);
    }
  return self->date_time;
}

const char *
heron_message_get_snippet (HeronMessage *self)
{
  g_return_val_if_fail (HERON_IS_MESSAGE (self), NULL);

  return self->snippet;
}

HeronMessageFlags
heron_message_get_flags (HeronMessage *self)
{
  g_return_val_if_fail (HERON_IS_MESSAGE (self), 0);

  return self->flags;
}

gboolean
heron_message_get_seen (HeronMessage *self)
{
  g_return_val_if_fail (HERON_IS_MESSAGE (self), FALSE);

  return (self->flags & HERON_MESSAGE_FLAG_SEEN) != 0;
}

gboolean
heron_message_get_flagged (HeronMessage *self)
{
  g_return_val_if_fail (HERON_IS_MESSAGE (self), FALSE);

  return (self->flags & HERON_MESSAGE_FLAG_FLAGGED) != 0;
}

gboolean
heron_message_get_answered (HeronMessage *self)
{
  g_return_val_if_fail (HERON_IS_MESSAGE (self), FALSE);

  return (self->flags & HERON_MESSAGE_FLAG_ANSWERED) != 0;
}

gboolean
heron_message_get_has_attachment (HeronMessage *self)
{
  g_return_val_if_fail (HERON_IS_MESSAGE (self), FALSE);

  return self->has_attachment;
}

gboolean
heron_message_get_body_local (HeronMessage *self)
{
  g_return_val_if_fail (HERON_IS_MESSAGE (self), FALSE);

  return self->body_local;
}

gint64
heron_message_get_conversation_id (HeronMessage *self)
{
  g_return_val_if_fail (HERON_IS_MESSAGE (self), 0);

  return self->conversation_id;
}

/* List rows do not carry the Message-ID: read the whole summary once. NULL when the message
 * has none (or left the cache before anyone asked). */
const char *
heron_message_get_message_id (HeronMessage *self)
{
  g_return_val_if_fail (HERON_IS_MESSAGE (self), NULL);

  if (!self->have_message_id)
    {
      HeronStoreReader *reader = _heron_account_get_reader (self->account);
      g_autoptr(HeronStoreMessage) row = NULL;
      g_autoptr(GError) error = NULL;

      if (reader != NULL)
        row = heron_store_reader_get_message (reader, self->folder_id, self->uid, &error);
      if (row == NULL)
        {
          if (error != NULL)
            g_debug ("No Message-ID for %" G_GINT64_FORMAT "/%" G_GINT64_FORMAT ": %s",
                     self->folder_id, self->uid, error->message);
          return NULL;
        }
      self->message_id = g_strdup (row->message_id);
      self->have_message_id = TRUE;
    }
  return self->message_id;
}

/* Loading: the source, local or fetched first */

typedef struct {
  gboolean parse;   /* load (parse into a HeronMimeMessage) or open_source (the stream) */
} LoadData;

static void
return_source (GTask *task);

static void
on_body_fetched (GObject      *source_object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;

  if (!heron_account_worker_fetch_body_finish (HERON_ACCOUNT_WORKER (source_object), result, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  return_source (g_steal_pointer (&task));
}

static void
parse_in_thread (GTask        *task,
                 gpointer      source_object,
                 gpointer      task_data,
                 GCancellable *cancellable)
{
  GInputStream *stream = task_data;
  g_autoptr(GError) error = NULL;
  HeronMimeMessage *message;

  message = heron_mime_message_new_from_stream (stream, cancellable, &error);
  if (message == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, message, g_object_unref);
}

/* The body is local now: open it (main thread: the reader is of this thread) and hand it on. */
static void
return_source (GTask *task)
{
  HeronMessage *self = g_task_get_source_object (task);
  LoadData *data = g_task_get_task_data (task);
  HeronStoreReader *reader = _heron_account_get_reader (self->account);
  g_autoptr(GInputStream) stream = NULL;
  g_autoptr(GError) error = NULL;

  if (reader == NULL)
    {
      g_task_return_new_error (task, HERON_SYNC_ERROR, HERON_SYNC_ERROR_STOPPED,
                               _("The account’s mail cache is closed"));
      g_object_unref (task);
      return;
    }
  stream = heron_store_reader_open_source (reader, self->folder_id, self->uid,
                                           g_task_get_cancellable (task), &error);
  if (stream == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      g_object_unref (task);
      return;
    }
  if (!data->parse)
    {
      g_task_return_pointer (task, g_steal_pointer (&stream), g_object_unref);
      g_object_unref (task);
      return;
    }
  /* The stream (a blob in memory or a file) is used by the thread alone from here on; the
   * thread's GMime objects are its own. */
  g_task_set_task_data (task, g_steal_pointer (&stream), g_object_unref);
  g_task_run_in_thread (task, parse_in_thread);
  g_object_unref (task);
}

static void
start_load (HeronMessage        *self,
            gboolean             parse,
            GCancellable        *cancellable,
            GAsyncReadyCallback  callback,
            gpointer             user_data,
            gpointer             source_tag)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  HeronStoreReader *reader = _heron_account_get_reader (self->account);
  LoadData *data = g_new0 (LoadData, 1);
  g_autoptr(HeronStoreMessage) row = NULL;
  g_autoptr(GError) error = NULL;
  HeronAccountWorker *worker;
  HeronSyncState state;

  g_task_set_source_tag (task, source_tag);
  data->parse = parse;
  g_task_set_task_data (task, data, g_free);

  if (reader == NULL)
    {
      g_task_return_new_error (task, HERON_SYNC_ERROR, HERON_SYNC_ERROR_STOPPED,
                               _("The account’s mail cache is closed"));
      return;
    }

  /* The row as it is now: the body may have become local since this object was made, or the
   * message may have left the folder. */
  row = heron_store_reader_get_message (reader, self->folder_id, self->uid, &error);
  if (row == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  _heron_message_update (self, row);

  if (row->body_local)
    {
      return_source (g_steal_pointer (&task));
      return;
    }

  /* Not local: the server has it. A stopped or disconnected account says so at once rather
   * than queueing a fetch that waits for a reconnection. */
  worker = _heron_account_get_worker (self->account);
  state = heron_account_get_state (self->account);
  if (worker == NULL || self->folder == NULL ||
      (state != HERON_SYNC_STATE_ONLINE && state != HERON_SYNC_STATE_CONNECTING))
    {
      g_task_return_new_error (task, HERON_SYNC_ERROR, HERON_SYNC_ERROR_OFFLINE,
                               _("The message is not downloaded and the account is not connected"));
      return;
    }
  heron_account_worker_fetch_body_async (worker, heron_folder_get_name (self->folder), self->uid,
                                         cancellable, on_body_fetched, g_steal_pointer (&task));
}

void
heron_message_load_async (HeronMessage        *self,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  g_return_if_fail (HERON_IS_MESSAGE (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  start_load (self, TRUE, cancellable, callback, user_data, heron_message_load_async);
}

HeronMimeMessage *
heron_message_load_finish (HeronMessage  *self,
                           GAsyncResult  *result,
                           GError       **error)
{
  g_return_val_if_fail (HERON_IS_MESSAGE (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == heron_message_load_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

void
heron_message_open_source_async (HeronMessage        *self,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_return_if_fail (HERON_IS_MESSAGE (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  start_load (self, FALSE, cancellable, callback, user_data, heron_message_open_source_async);
}

GInputStream *
heron_message_open_source_finish (HeronMessage  *self,
                                  GAsyncResult  *result,
                                  GError       **error)
{
  g_return_val_if_fail (HERON_IS_MESSAGE (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == heron_message_open_source_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

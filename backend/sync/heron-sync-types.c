/* heron-sync-types.c: events, states and errors of the sync engine
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "heron-sync-types.h"

G_DEFINE_QUARK (heron-sync-error-quark, heron_sync_error)

G_DEFINE_BOXED_TYPE (HeronSyncEvent, heron_sync_event, heron_sync_event_copy, heron_sync_event_free)

HeronSyncEvent *
heron_sync_event_new (HeronSyncEventKind kind)
{
  HeronSyncEvent *event = g_new0 (HeronSyncEvent, 1);

  event->kind = kind;
  event->time_us = g_get_monotonic_time ();
  return event;
}

HeronSyncEvent *
heron_sync_event_copy (const HeronSyncEvent *event)
{
  HeronSyncEvent *copy;

  g_return_val_if_fail (event != NULL, NULL);

  copy = g_memdup2 (event, sizeof *event);
  copy->folder = g_strdup (event->folder);
  copy->message_id = g_strdup (event->message_id);
  if (event->uids != NULL)
    {
      copy->uids = g_array_sized_new (FALSE, FALSE, sizeof (gint64), event->uids->len);
      g_array_append_vals (copy->uids, event->uids->data, event->uids->len);
    }
  copy->error = event->error != NULL ? g_error_copy (event->error) : NULL;
  copy->certificate = event->certificate != NULL ? g_object_ref (event->certificate) : NULL;
  return copy;
}

void
heron_sync_event_free (HeronSyncEvent *event)
{
  if (event == NULL)
    return;
  g_free (event->folder);
  g_free (event->message_id);
  g_clear_pointer (&event->uids, g_array_unref);
  g_clear_error (&event->error);
  g_clear_object (&event->certificate);
  g_free (event);
}

const char *
heron_sync_event_kind_to_string (HeronSyncEventKind kind)
{
  switch (kind)
    {
    case HERON_SYNC_EVENT_STATE: return "state";
    case HERON_SYNC_EVENT_FOLDERS_CHANGED: return "folders-changed";
    case HERON_SYNC_EVENT_FOLDER_CHANGED: return "folder-changed";
    case HERON_SYNC_EVENT_MESSAGES_ADDED: return "messages-added";
    case HERON_SYNC_EVENT_MESSAGES_CHANGED: return "messages-changed";
    case HERON_SYNC_EVENT_MESSAGES_REMOVED: return "messages-removed";
    case HERON_SYNC_EVENT_PROGRESS: return "progress";
    case HERON_SYNC_EVENT_ERROR: return "error";
    case HERON_SYNC_EVENT_SENT: return "sent";
    case HERON_SYNC_EVENT_SEND_FAILED: return "send-failed";
    case HERON_SYNC_EVENT_BODY_FETCHED: return "body-fetched";
    case HERON_SYNC_EVENT_JOURNAL_CHANGED: return "journal-changed";
    case HERON_SYNC_EVENT_CACHE_SETTLED: return "cache-settled";
    default: return "unknown";
    }
}

const char *
heron_sync_state_to_string (HeronSyncState state)
{
  switch (state)
    {
    case HERON_SYNC_STATE_STOPPED: return "stopped";
    case HERON_SYNC_STATE_CONNECTING: return "connecting";
    case HERON_SYNC_STATE_ONLINE: return "online";
    case HERON_SYNC_STATE_OFFLINE: return "offline";
    case HERON_SYNC_STATE_AUTH_FAILED: return "auth-failed";
    case HERON_SYNC_STATE_UNTRUSTED: return "untrusted";
    default: return "unknown";
    }
}

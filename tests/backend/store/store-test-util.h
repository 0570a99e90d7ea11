/* store-test-util.h: helpers shared by the tests of backend/store
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "store/heron-store.h"

G_BEGIN_DECLS

/* A fresh temporary directory, and the cache path inside it. Removed by store_test_dir_free(). */
typedef struct {
  char *dir;
  char *path;
} StoreTestDir;

StoreTestDir      *store_test_dir_new           (void);
void               store_test_dir_free          (StoreTestDir *dir);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (StoreTestDir, store_test_dir_free)

HeronStore        *store_test_open              (const char *path);
gint64             store_test_add_folder        (HeronStore *store,
                                                 const char *name);

/* A summary with the given fields (NULL leaves them empty); dates follow the uid. */
HeronStoreMessage *store_test_message           (guint32     uid,
                                                 const char *subject,
                                                 const char *from_name,
                                                 const char *from_address,
                                                 const char *message_id,
                                                 const char *in_reply_to,
                                                 const char *references);
/* Upserts one message. */
void               store_test_upsert            (HeronStore        *store,
                                                 gint64             folder_id,
                                                 HeronStoreMessage *message);
/* Inserts uids first..last with plain generated fields, in batches. */
void               store_test_fill              (HeronStore *store,
                                                 gint64      folder_id,
                                                 guint32     first,
                                                 guint32     last);

void               store_test_assert_consistent (HeronStore *store);
guint              store_test_count             (HeronStore *store,
                                                 gint64      folder_id);
guint              store_test_unread            (HeronStore *store,
                                                 gint64      folder_id);
gint64             store_test_conversation      (HeronStore *store,
                                                 gint64      folder_id,
                                                 gint64      uid);

/* Records the changes a store reports. */
typedef struct {
  GPtrArray *batches;  /* GPtrArray of the changes arrays */
} StoreTestEvents;

void               store_test_events_attach     (StoreTestEvents *events,
                                                 HeronStore      *store);
void               store_test_events_clear      (StoreTestEvents *events);
/* The UIDs reported for (kind, folder) over all batches, in order; NULL-free (empty array). */
GArray            *store_test_events_uids       (StoreTestEvents     *events,
                                                 HeronStoreChangeKind kind,
                                                 gint64               folder_id);
gboolean           store_test_events_has        (StoreTestEvents     *events,
                                                 HeronStoreChangeKind kind,
                                                 gint64               folder_id);

/* The VmRSS of this process in KiB. */
guint64            store_test_rss_kib           (void);
/* The first column of the first row of @sql, on the writer's connection */
gint64             store_test_query_int         (HeronStore *store,
                                                 const char *sql);

G_END_DECLS

/* heron-message-list-private.h: what the files of HeronMessageList share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * heron-message-list.c: the model, its sources and windows, the objects, changes and their
 * hunks, events; heron-message-list-merged.c: the merged order of several sources;
 * heron-message-list-threads.c: one item per conversation (sources that read conversations);
 * heron-message-list-search.c: search results. docs/client.md, "Messages and lists", describes
 * how they work together.
 */

#pragma once

#include "heron-message-list.h"
#include "heron-client-private.h"

G_BEGIN_DECLS

#define WINDOW_SIZE      200     /* rows read when scrolling on */
#define JUMP_WINDOW      50      /* rows read at a jump */
#define N_WINDOWS        4
#define RING_SIZE        256
#define SMALL_BATCH      64      /* more UIDs than this: one hunk over the span they cover */
#define CHECKPOINT       1024    /* merged lists: per-source counts every this many positions */
#define SEARCH_LIMIT     1000
#define FALLBACK_MS      2000    /* waiting for an event longer than this: read everything again */
#define RENEW_US         (1 * G_USEC_PER_SEC)

typedef enum {
  KIND_FOLDER,
  KIND_MERGED,
  KIND_SEARCH,
} ListKind;

typedef struct {
  guint      start;
  GPtrArray *rows;           /* HeronStoreMessage */
  GArray    *conversations;  /* threaded: HeronStoreFolderConversation of each row */
  guint64    used;
} Window;

typedef struct {
  HeronAccount     *account;
  HeronFolder      *folder;          /* NULL for a search's per-account source */
  gint64            folder_id;
  HeronStoreReader *reader;          /* in a snapshot: the list's state */
  HeronStoreReader *spare;           /* takes the next snapshot */
  guint             count;
  Window            windows[N_WINDOWS];
  guint64           clock;
  GHashTable       *pending_members; /* gint64 UIDs added or removed */
  GHashTable       *pending_changed; /* gint64 UIDs whose flags, body or conversation changed */
  gboolean          pending_check;   /* the folder list changed: is the folder still there? */
  guint             next;            /* merged: items of this source in the built prefix */
  gboolean          threaded;        /* the rows are the folder's conversations (-threads.c) */
  GHashTable       *pending_sent;    /* threaded: gint64[2] folder id, UID of Sent folders' changes */
  const HeronStoreFolderConversation *last_conversation; /* threaded: of the row read last */
  guint64           rows_read;       /* threaded: conversation rows read so far (tests) */
} Source;

/* A search hit, or the item that stands for a conversation. */
typedef struct {
  guint  src;
  guint  base_pos;       /* threads: the position in the unthreaded list */
  gint64 folder_id;
  gint64 uid;
  gint64 date;
  gint64 conversation_id;
} Entry;

typedef struct {
  guint      old_pos;
  guint      n_removed;
  guint      new_pos;
  guint      n_added;
  GPtrArray *removed;    /* HeronMessage of the removed items, or NULL (a span or a tail) */
} Hunk;

typedef struct {
  guint         pos;       /* old position of a removal, new position of an addition */
  HeronMessage *message;   /* a removal's item (owned), or NULL */
  guint         src;       /* an addition's source (merged lists) */
} Op;

typedef struct {
  Source  *source;
  guint    new_count;
  GArray  *removals;   /* Op: old source positions */
  GArray  *additions;  /* Op: new source positions */
  GArray  *added_keys; /* per addition: gint64 date, gint64 uid */
  gboolean swap;       /* the spare holds the new snapshot */
  gboolean big;        /* too many to place one by one */
  gboolean reset;      /* the folder went, or the cache could not be read */
  GArray  *conversation_counts; /* threaded: HeronStoreFolderConversation whose item may be alive */
  /* big: the span */
  guint    span_old_first, span_old_last, span_new_first, span_new_last;
  gboolean span_have_old, span_have_new;
} Delta;

struct _HeronMessageList
{
  GObject       parent_instance;

  ListKind      kind;
  GPtrArray    *sources;        /* Source */
  GPtrArray    *accounts;       /* HeronAccount whose ::event is followed */
  guint         n_items;        /* what the views were told */

  /* merged */
  GByteArray   *order;          /* the source of each position of the built prefix */
  GArray       *checkpoints;    /* guint [c * n_sources + s]: items of s in order[0, c * CHECKPOINT) */
  gboolean      have_last;
  gint64        last_date;      /* the key of the last item of the prefix */
  gint64        last_uid;
  guint         last_src;

  /* search */
  GArray       *entries;        /* Entry, newest first */
  char         *query;
  guint         n_searches;
  GError       *search_error;
  GCancellable *cancellable;

  /* threaded (the sources read conversations) */
  gboolean      threaded;

  /* objects */
  GHashTable   *live;           /* LiveKey -> Live */
  HeronMessage *ring[RING_SIZE];
  guint         ring_next;

  /* changes */
  GArray       *emit_hunks;     /* while items-changed is emitted */
  guint         emit_index;
  guint         process_id;
  guint         fallback_id;
  gint64        last_renewal;
  gboolean      renewal_wanted;
};


/* heron-message-list.c */
/* < 0 when (date_a, uid_a, src_a) comes first in a list */
int                _heron_message_list_compare_keys         (gint64 date_a, gint64 uid_a, guint src_a,
                                                              gint64 date_b, gint64 uid_b, guint src_b);
HeronMessage      *_heron_message_list_make_message         (HeronMessageList        *self,
                                                              HeronAccount            *account,
                                                              HeronFolder             *folder,
                                                              const HeronStoreMessage *row);
HeronMessage      *_heron_message_list_live_lookup          (HeronMessageList        *self,
                                                              HeronAccount            *account,
                                                              gint64                   folder_id,
                                                              gint64                   uid);
Source            *_heron_message_list_source_new           (HeronAccount            *account,
                                                              HeronFolder             *folder);
const HeronStoreMessage *_heron_message_list_source_get_row (Source                  *source,
                                                              guint                    position);
void               _heron_message_list_source_commit        (Source                  *source,
                                                              Delta                   *delta);
guint              _heron_message_list_find_source          (HeronMessageList        *self,
                                                              HeronAccount            *account,
                                                              gint64                   folder_id);
void               _heron_message_list_follow_account       (HeronMessageList        *self,
                                                              HeronAccount            *account);
guint              _heron_message_list_base_n_items         (HeronMessageList        *self);
const HeronStoreMessage *_heron_message_list_base_get_row   (HeronMessageList        *self,
                                                              guint                    position,
                                                              guint                   *out_src,
                                                              HeronStoreMessage      **owned);
GArray            *_heron_message_list_hunks_new            (void);
GArray            *_heron_message_list_hunks_from_ops       (GArray                  *removals,
                                                              GArray                  *additions);
void               _heron_message_list_emit_hunks           (HeronMessageList        *self,
                                                              GArray                  *hunks);
void               _heron_message_list_op_clear             (gpointer                 data);
gint               _heron_message_list_op_compare           (gconstpointer            a,
                                                              gconstpointer            b);
void               _heron_message_list_emit_search_done     (HeronMessageList        *self);

/* heron-message-list-merged.c */
void               _heron_message_list_merged_clear         (HeronMessageList        *self);
gboolean           _heron_message_list_merged_extend        (HeronMessageList        *self,
                                                              guint                    position);
guint              _heron_message_list_merged_source_position (HeronMessageList      *self,
                                                              guint                    position);
guint              _heron_message_list_merged_position_of   (HeronMessageList        *self,
                                                              guint                    src,
                                                              guint                    q);
GArray            *_heron_message_list_merged_hunks         (HeronMessageList        *self,
                                                              Delta                   *deltas,
                                                              guint                    n_deltas,
                                                              guint                    old_total);
GArray            *_heron_message_list_merged_span          (HeronMessageList        *self,
                                                              Delta                   *deltas,
                                                              guint                    n_deltas,
                                                              guint                    old_total);

void               _heron_message_list_source_drop_windows  (Source                  *source);

/* heron-message-list-threads.c */
/* The source's count in its mode (messages or conversations) in @reader's state. */
gboolean           _heron_message_list_source_count         (Source                  *source,
                                                              HeronStoreReader        *reader,
                                                              guint                   *out_count);
GPtrArray         *_heron_message_list_threads_read         (Source                  *source,
                                                              guint                    start,
                                                              guint                    size,
                                                              GArray                 **out_conversations,
                                                              GError                 **error);
void               _heron_message_list_threads_set_counts   (Source                  *source,
                                                              HeronMessage            *message);
gboolean           _heron_message_list_threads_take_event   (Source                  *source,
                                                              HeronSyncEvent          *event);
gboolean           _heron_message_list_threads_prepare      (HeronMessageList        *self,
                                                              Source                  *source,
                                                              Delta                   *delta);
void               _heron_message_list_threads_update_live  (HeronMessageList        *self,
                                                              Delta                   *delta);
void               _heron_message_list_threads_set          (HeronMessageList        *self,
                                                              gboolean                 threaded);
gboolean           _heron_message_list_threads_find         (Source                  *source,
                                                              HeronMessage            *message,
                                                              guint                   *out_position);
guint              _heron_message_list_pair_hash            (gconstpointer            data);
gboolean           _heron_message_list_pair_equal           (gconstpointer            a,
                                                              gconstpointer            b);

/* heron-message-list-search.c */
void               _heron_message_list_search_take_event    (HeronMessageList        *self,
                                                              HeronAccount            *account,
                                                              HeronSyncEvent          *event);

G_END_DECLS

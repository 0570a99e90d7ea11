/* heron-imap-command.h: IMAP command builder
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "heron-imap-uidset.h"

G_BEGIN_DECLS

/* What the server has agreed to that changes how arguments are written. Pass the same flags to
 * every constructor of a connection. */
typedef enum {
  HERON_IMAP_COMMAND_FLAGS_NONE = 0,
  /* UTF8=ACCEPT is enabled (RFC 6855) or the session is IMAP4rev2: 8-bit UTF-8 may be quoted and
   * mailbox names go as UTF-8 instead of modified UTF-7. */
  HERON_IMAP_COMMAND_UTF8_ACCEPT = 1 << 0,
  /* SASL-IR (RFC 4959) or IMAP4rev2: AUTHENTICATE carries its initial response on the command
   * line instead of after the first continuation. */
  HERON_IMAP_COMMAND_SASL_IR = 1 << 1,
} HeronImapCommandFlags;

/* How literals are sent, from the capabilities. */
typedef enum {
  HERON_IMAP_LITERAL_SYNC,  /* "{n}": wait for "+" before the octets (RFC 3501) */
  HERON_IMAP_LITERAL_PLUS,  /* LITERAL+: "{n+}" for any size (RFC 7888) */
  HERON_IMAP_LITERAL_MINUS, /* LITERAL-: "{n+}" up to 4096 octets, "{n}" above (RFC 7888) */
} HeronImapLiteralMode;

/* The largest non-synchronizing literal LITERAL- allows (RFC 7888 section 5). */
#define HERON_IMAP_LITERAL_MINUS_MAX 4096

/* Strings longer than this go as literals even when they could be quoted, to keep command lines
 * short (RFC 7162 section 4 asks clients to prefer literals to long quoted strings). */
#define HERON_IMAP_QUOTED_MAX 1024

typedef enum {
  HERON_IMAP_LITERAL_FLAGS_NONE = 0,
  /* literal8, "~{n}" (RFC 3516 BINARY): may hold NUL; only when the server offers BINARY. */
  HERON_IMAP_LITERAL_BINARY = 1 << 0,
  /* Must be sent without waiting for "+": serialization fails with SYNC, and with LITERAL- above
   * 4096 octets. */
  HERON_IMAP_LITERAL_NON_SYNC = 1 << 1,
  /* Holds a secret: logged as <redacted>, never as its size. */
  HERON_IMAP_LITERAL_SECRET = 1 << 2,
} HeronImapLiteralFlags;

/* How APPEND sends the message. */
typedef enum {
  HERON_IMAP_APPEND_FLAGS_NONE = 0,
  /* literal8 (RFC 3516): the message may hold NUL; only when the server offers BINARY. */
  HERON_IMAP_APPEND_BINARY = 1 << 0,
  /* The message's header has 8-bit (UTF-8) octets: send it as "UTF8 (~{n}...)" (RFC 6855
   * section 4). Needs HERON_IMAP_COMMAND_UTF8_ACCEPT; found on its own for a message in memory. */
  HERON_IMAP_APPEND_UTF8 = 1 << 1,
} HeronImapAppendFlags;

/* A command goes on the wire as a sequence of segments. The connection writes TEXT, waits for a
 * command continuation request ("+") at WAIT_CONTINUATION (a tagged NO or BAD instead ends the
 * command), and copies exactly size octets of a LITERAL from bytes or stream. */
typedef enum {
  HERON_IMAP_SEGMENT_TEXT,
  HERON_IMAP_SEGMENT_WAIT_CONTINUATION,
  HERON_IMAP_SEGMENT_LITERAL,
} HeronImapSegmentKind;

typedef struct {
  HeronImapSegmentKind kind;
  GBytes *bytes;          /* TEXT: the octets, CRLF included; LITERAL: the data if in memory */
  GInputStream *stream;   /* LITERAL: the data if streamed (then bytes is NULL) */
  guint64 size;           /* octets in bytes, or to copy from stream */
  gboolean secret;        /* holds (part of) a secret: never log it */
} HeronImapSegment;

void heron_imap_segment_free (HeronImapSegment *segment);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HeronImapSegment, heron_imap_segment_free)

/* Tags: "A0001", "A0002", ... unique per connection. After 4294967295 the counter restarts at 1
 * with the next prefix letter, so a tag does not come back before 26 × 2³² commands. Not thread
 * safe: one generator per connection, used from its thread. */
typedef struct _HeronImapTagGenerator HeronImapTagGenerator;

HeronImapTagGenerator *heron_imap_tag_generator_new      (char                    prefix);
HeronImapTagGenerator *heron_imap_tag_generator_new_full (char                    prefix,
                                                          guint32                 next);
char                  *heron_imap_tag_generator_next     (HeronImapTagGenerator  *self);
void                   heron_imap_tag_generator_free     (HeronImapTagGenerator  *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HeronImapTagGenerator, heron_imap_tag_generator_free)

/* A modification sequence argument that is absent. */
#define HERON_IMAP_MODSEQ_NONE G_MAXUINT64

typedef enum {
  HERON_IMAP_STORE_REPLACE, /* FLAGS */
  HERON_IMAP_STORE_ADD,     /* +FLAGS */
  HERON_IMAP_STORE_REMOVE,  /* -FLAGS */
} HeronImapStoreAction;

/* LIST selection options (RFC 5258, RFC 6154), written in this order. */
typedef enum {
  HERON_IMAP_LIST_SELECT_NONE = 0,
  HERON_IMAP_LIST_SELECT_REMOTE = 1 << 0,
  HERON_IMAP_LIST_SELECT_SUBSCRIBED = 1 << 1,
  HERON_IMAP_LIST_SELECT_SPECIAL_USE = 1 << 2,
  HERON_IMAP_LIST_SELECT_RECURSIVEMATCH = 1 << 3,
} HeronImapListSelect;

/* LIST return options (RFC 5258, RFC 6154, RFC 5819 for STATUS), written in this order; STATUS
 * comes last when status items are given. */
typedef enum {
  HERON_IMAP_LIST_RETURN_NONE = 0,
  HERON_IMAP_LIST_RETURN_SUBSCRIBED = 1 << 0,
  HERON_IMAP_LIST_RETURN_CHILDREN = 1 << 1,
  HERON_IMAP_LIST_RETURN_SPECIAL_USE = 1 << 2,
} HeronImapListReturn;

/* Parameters of SELECT and EXAMINE (RFC 7162 sections 3.1.8 and 3.2.5). */
typedef struct {
  gboolean condstore;
  guint32 qresync_uidvalidity;                 /* 0: no QRESYNC parameter */
  guint64 qresync_modseq;                      /* the cached HIGHESTMODSEQ */
  const HeronImapUidSet *qresync_known_uids;   /* optional, UIDs */
  const HeronImapUidSet *qresync_match_seqs;   /* optional, with match_uids: sequence numbers */
  const HeronImapUidSet *qresync_match_uids;   /* optional, with match_seqs: their UIDs */
} HeronImapSelectParams;

/* NOTIFY (RFC 5465): the events asked for one filter. MESSAGE_NEW and MESSAGE_EXPUNGE go
 * together, and FLAG_CHANGE and ANNOTATION_CHANGE need both (section 5). */
typedef enum {
  HERON_IMAP_NOTIFY_NONE                    = 0,
  HERON_IMAP_NOTIFY_MESSAGE_NEW             = 1 << 0,
  HERON_IMAP_NOTIFY_MESSAGE_EXPUNGE         = 1 << 1,
  HERON_IMAP_NOTIFY_FLAG_CHANGE             = 1 << 2,
  HERON_IMAP_NOTIFY_ANNOTATION_CHANGE       = 1 << 3,
  HERON_IMAP_NOTIFY_MAILBOX_NAME            = 1 << 4,
  HERON_IMAP_NOTIFY_SUBSCRIPTION_CHANGE     = 1 << 5,
  HERON_IMAP_NOTIFY_MAILBOX_METADATA_CHANGE = 1 << 6,
  HERON_IMAP_NOTIFY_SERVER_METADATA_CHANGE  = 1 << 7,
} HeronImapNotifyEvents;

/* The mailboxes a group of events is about (RFC 5465 section 6). */
typedef enum {
  HERON_IMAP_NOTIFY_SELECTED,
  HERON_IMAP_NOTIFY_SELECTED_DELAYED,
  HERON_IMAP_NOTIFY_INBOXES,
  HERON_IMAP_NOTIFY_PERSONAL,
  HERON_IMAP_NOTIFY_SUBSCRIBED,
  HERON_IMAP_NOTIFY_SUBTREE,           /* mailboxes and everything below them */
  HERON_IMAP_NOTIFY_MAILBOXES,         /* exactly mailboxes */
} HeronImapNotifyFilter;

typedef struct {
  HeronImapNotifyFilter filter;
  const char * const   *mailboxes;     /* SUBTREE and MAILBOXES: one or more, in UTF-8 (the builder encodes them) */
  guint                 events;        /* HeronImapNotifyEvents; NONE: nothing for these */
  const char * const   *fetch_items;   /* nullable: MessageNew's FETCH items, SELECTED(-DELAYED) only */
} HeronImapNotifyGroup;

#define HERON_IMAP_TYPE_COMMAND (heron_imap_command_get_type ())

typedef struct _HeronImapCommand HeronImapCommand;

GType              heron_imap_command_get_type        (void) G_GNUC_CONST;

HeronImapCommand  *heron_imap_command_new             (const char             *name,
                                                       HeronImapCommandFlags   flags);
HeronImapCommand  *heron_imap_command_new_fragment    (HeronImapCommandFlags   flags);
HeronImapCommand  *heron_imap_command_ref             (HeronImapCommand       *self);
void               heron_imap_command_unref           (HeronImapCommand       *self);

const char        *heron_imap_command_get_name        (HeronImapCommand       *self);
HeronImapCommandFlags heron_imap_command_get_flags    (HeronImapCommand       *self);
gboolean           heron_imap_command_is_tagged       (HeronImapCommand       *self);
const char        *heron_imap_command_get_tag         (HeronImapCommand       *self);
void               heron_imap_command_set_tag         (HeronImapCommand       *self,
                                                       const char             *tag);
const char        *heron_imap_command_assign_tag      (HeronImapCommand       *self,
                                                       HeronImapTagGenerator  *generator);

/* Arguments. Each is separated from the previous one by a space, except just inside parentheses.
 * An argument that cannot be written (an empty mailbox name, an atom with atom-specials, a NUL in
 * a string, ...) records a HERON_IMAP_ERROR on the command; later arguments are ignored and
 * heron_imap_command_check(), heron_imap_command_get_segments() and the constructors report it. */
void     heron_imap_command_add_atom          (HeronImapCommand       *self,
                                               const char             *atom);
void     heron_imap_command_add_astring       (HeronImapCommand       *self,
                                               const char             *string);
void     heron_imap_command_add_astring_len   (HeronImapCommand       *self,
                                               const char             *string,
                                               gssize                  length);
void     heron_imap_command_add_string        (HeronImapCommand       *self,
                                               const char             *string);
void     heron_imap_command_add_string_len    (HeronImapCommand       *self,
                                               const char             *string,
                                               gssize                  length);
void     heron_imap_command_add_nstring       (HeronImapCommand       *self,
                                               const char             *string);
void     heron_imap_command_add_secret        (HeronImapCommand       *self,
                                               const char             *string);
void     heron_imap_command_add_mailbox       (HeronImapCommand       *self,
                                               const char             *name);
void     heron_imap_command_add_list_mailbox  (HeronImapCommand       *self,
                                               const char             *pattern);
void     heron_imap_command_add_number        (HeronImapCommand       *self,
                                               guint32                 number);
void     heron_imap_command_add_number64      (HeronImapCommand       *self,
                                               guint64                 number);
void     heron_imap_command_add_uid_set       (HeronImapCommand       *self,
                                               const HeronImapUidSet  *set);
void     heron_imap_command_add_raw           (HeronImapCommand       *self,
                                               const char             *text);
void     heron_imap_command_add_flag_list     (HeronImapCommand       *self,
                                               const char * const     *flags);
void     heron_imap_command_add_string_list   (HeronImapCommand       *self,
                                               const char * const     *strings);
void     heron_imap_command_add_date          (HeronImapCommand       *self,
                                               GDateTime              *date);
void     heron_imap_command_add_date_time     (HeronImapCommand       *self,
                                               GDateTime              *date_time);
void     heron_imap_command_add_literal       (HeronImapCommand       *self,
                                               GBytes                 *data,
                                               HeronImapLiteralFlags   flags);
void     heron_imap_command_add_literal_stream (HeronImapCommand      *self,
                                               GInputStream           *stream,
                                               guint64                 size,
                                               HeronImapLiteralFlags   flags);
void     heron_imap_command_begin_list        (HeronImapCommand       *self);
void     heron_imap_command_end_list          (HeronImapCommand       *self);
void     heron_imap_command_add_fragment      (HeronImapCommand       *self,
                                               HeronImapCommand       *fragment);

gboolean heron_imap_command_check             (HeronImapCommand       *self,
                                               GError                **error);

/* Output */
GPtrArray *heron_imap_command_get_segments    (HeronImapCommand       *self,
                                               HeronImapLiteralMode    mode,
                                               GError                **error);
GBytes    *heron_imap_command_serialize_all   (HeronImapCommand       *self,
                                               HeronImapLiteralMode    mode,
                                               GError                **error);
char      *heron_imap_command_to_log_string   (HeronImapCommand       *self);
char      *heron_imap_command_continuation_to_log_string (HeronImapCommand *self,
                                               const char             *line,
                                               gssize                  length);

/* Commands. Those that take user data return NULL and set error when it cannot be written. */
HeronImapCommand *heron_imap_command_new_capability   (void);
HeronImapCommand *heron_imap_command_new_noop         (void);
HeronImapCommand *heron_imap_command_new_logout       (void);
HeronImapCommand *heron_imap_command_new_starttls     (void);
HeronImapCommand *heron_imap_command_new_namespace    (void);
HeronImapCommand *heron_imap_command_new_idle         (void);
HeronImapCommand *heron_imap_command_new_done         (void);
HeronImapCommand *heron_imap_command_new_check        (void);
HeronImapCommand *heron_imap_command_new_close        (void);
HeronImapCommand *heron_imap_command_new_unselect     (void);
HeronImapCommand *heron_imap_command_new_expunge      (void);
HeronImapCommand *heron_imap_command_new_compress     (void);
HeronImapCommand *heron_imap_command_new_login        (HeronImapCommandFlags   flags,
                                                       const char             *user,
                                                       const char             *password,
                                                       GError                **error);
HeronImapCommand *heron_imap_command_new_authenticate (HeronImapCommandFlags   flags,
                                                       const char             *mechanism,
                                                       GBytes                 *initial_response,
                                                       GError                **error);
HeronImapCommand *heron_imap_command_new_sasl_response (GBytes                *response);
HeronImapCommand *heron_imap_command_new_sasl_cancel  (void);
HeronImapCommand *heron_imap_command_new_enable       (const char * const     *capabilities,
                                                       GError                **error);
HeronImapCommand *heron_imap_command_new_id           (HeronImapCommandFlags   flags,
                                                       const char * const     *fields_and_values,
                                                       GError                **error);
HeronImapCommand *heron_imap_command_new_select       (HeronImapCommandFlags   flags,
                                                       const char             *mailbox,
                                                       const HeronImapSelectParams *params,
                                                       GError                **error);
HeronImapCommand *heron_imap_command_new_examine      (HeronImapCommandFlags   flags,
                                                       const char             *mailbox,
                                                       const HeronImapSelectParams *params,
                                                       GError                **error);
HeronImapCommand *heron_imap_command_new_list         (HeronImapCommandFlags   flags,
                                                       const char             *reference,
                                                       const char * const     *patterns,
                                                       HeronImapListSelect     select_options,
                                                       HeronImapListReturn     return_options,
                                                       const char * const     *status_items,
                                                       GError                **error);
HeronImapCommand *heron_imap_command_new_lsub         (HeronImapCommandFlags   flags,
                                                       const char             *reference,
                                                       const char             *pattern,
                                                       GError                **error);
HeronImapCommand *heron_imap_command_new_status       (HeronImapCommandFlags   flags,
                                                       const char             *mailbox,
                                                       const char * const     *items,
                                                       GError                **error);
HeronImapCommand *heron_imap_command_new_create       (HeronImapCommandFlags   flags,
                                                       const char             *mailbox,
                                                       const char * const     *special_uses,
                                                       GError                **error);
HeronImapCommand *heron_imap_command_new_delete       (HeronImapCommandFlags   flags,
                                                       const char             *mailbox,
                                                       GError                **error);
HeronImapCommand *heron_imap_command_new_rename       (HeronImapCommandFlags   flags,
                                                       const char             *from,
                                                       const char             *to,
                                                       GError                **error);
HeronImapCommand *heron_imap_command_new_subscribe    (HeronImapCommandFlags   flags,
                                                       const char             *mailbox,
                                                       GError                **error);
HeronImapCommand *heron_imap_command_new_unsubscribe  (HeronImapCommandFlags   flags,
                                                       const char             *mailbox,
                                                       GError                **error);
/* NOTIFY SET [STATUS] (filter events)..., or NOTIFY NONE when n_groups is 0 (RFC 5465). A group
 * that breaks the rules of section 5 (MessageNew without MessageExpunge, FlagChange without both,
 * FETCH items outside SELECTED, a filter twice, SELECTED with SELECTED-DELAYED, no mailbox for
 * SUBTREE or MAILBOXES) is refused with HERON_IMAP_ERROR_INVALID. */
HeronImapCommand *heron_imap_command_new_notify       (HeronImapCommandFlags   flags,
                                                       gboolean                status,
                                                       const HeronImapNotifyGroup *groups,
                                                       guint                   n_groups,
                                                       GError                **error);
HeronImapCommand *heron_imap_command_new_getquotaroot (HeronImapCommandFlags   flags,
                                                       const char             *mailbox,
                                                       GError                **error);
/* FETCH, STORE, COPY and MOVE take a set of either kind: a UID set makes "UID FETCH" and so on,
 * a sequence set the plain command. */
HeronImapCommand *heron_imap_command_new_fetch        (const HeronImapUidSet  *set,
                                                       const char * const     *items,
                                                       guint64                 changed_since,
                                                       gboolean                vanished,
                                                       GError                **error);
HeronImapCommand *heron_imap_command_new_store        (const HeronImapUidSet  *set,
                                                       HeronImapStoreAction    action,
                                                       gboolean                silent,
                                                       const char * const     *flags,
                                                       guint64                 unchanged_since,
                                                       GError                **error);
HeronImapCommand *heron_imap_command_new_copy         (HeronImapCommandFlags   flags,
                                                       const HeronImapUidSet  *set,
                                                       const char             *mailbox,
                                                       GError                **error);
HeronImapCommand *heron_imap_command_new_move         (HeronImapCommandFlags   flags,
                                                       const HeronImapUidSet  *set,
                                                       const char             *mailbox,
                                                       GError                **error);
HeronImapCommand *heron_imap_command_new_uid_expunge  (const HeronImapUidSet  *uids,
                                                       GError                **error);
HeronImapCommand *heron_imap_command_new_append       (HeronImapCommandFlags   flags,
                                                       const char             *mailbox,
                                                       const char * const     *message_flags,
                                                       GDateTime              *internal_date,
                                                       GBytes                 *message,
                                                       HeronImapAppendFlags    append_flags,
                                                       GError                **error);
HeronImapCommand *heron_imap_command_new_append_stream (HeronImapCommandFlags  flags,
                                                       const char             *mailbox,
                                                       const char * const     *message_flags,
                                                       GDateTime              *internal_date,
                                                       GInputStream           *message,
                                                       guint64                 size,
                                                       HeronImapAppendFlags    append_flags,
                                                       GError                **error);
HeronImapCommand *heron_imap_command_new_search       (HeronImapCommandFlags   flags,
                                                       gboolean                uid,
                                                       const char * const     *return_options,
                                                       const char             *charset,
                                                       HeronImapCommand       *criteria,
                                                       GError                **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HeronImapCommand, heron_imap_command_unref)

G_END_DECLS

/* heron-imap-connection-private.h: what the connection's files share (not for use outside
 * backend/imap)
 *
 * heron-imap-connection.c holds the object, connecting (TCP, TLS, STARTTLS, the greeting),
 * certificates and COMPRESS; heron-imap-connection-io.c reading and parsing, routing responses,
 * the command queue, timers, and failing; heron-imap-connection-write.c writing.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "heron-imap-connection.h"

G_BEGIN_DECLS

#define HERON_IMAP_READ_CHUNK (64 * 1024)

/* Bytes read and parsed per dispatch of the read source before giving the main loop a turn, so
 * a bulk download does not starve timers and writes. */
#define HERON_IMAP_READ_BUDGET (1024 * 1024)

/* Small pieces are copied into one buffer per write; larger in-memory literals are written from
 * their own memory. */
#define HERON_IMAP_WRITE_COALESCE (64 * 1024)

typedef enum {
  CMD_QUEUED,    /* waiting its turn */
  CMD_WRITING,   /* its segments are being written (it is the writer) */
  CMD_SENT,      /* every segment handed to the stream: waiting for the tagged reply */
} CmdState;

typedef enum {
  CMD_KIND_USER,
  CMD_KIND_CAPABILITY,   /* internal: during connect */
  CMD_KIND_STARTTLS,
  CMD_KIND_COMPRESS,
  CMD_KIND_NOOP,         /* internal: keep-alive */
} CmdKind;

typedef struct _Cmd Cmd;

struct _Cmd {
  HeronImapConnection *connection;    /* not a reference: the connection owns its commands */
  HeronImapCommand *command;
  CmdKind kind;
  CmdState state;
  HeronImapSendFlags flags;
  const HeronImapHandlers *handlers;  /* NULL once the caller is gone (cancelled) */
  gpointer handler_data;
  gboolean wants_continuation;        /* had a continuation handler */
  GTask *task;                        /* NULL once completed */
  GCancellable *cancellable;
  GSource *cancel_source;             /* on the connection's context */
  GPtrArray *segments;
  guint segment;                      /* the next one to write */
  GInputStream *literal_stream;       /* a streamed literal being copied */
  guint64 literal_left;
  gboolean waiting;                   /* the writer stopped at WAIT_CONTINUATION */
  gboolean client_turn;               /* a continuation was handed to the handler, not answered */
  HeronImapResponse *early;           /* tagged reply that came before it was all written */
  GError *failure;                    /* a body consumer failed: the command's result */
  GList link;                         /* in inflight or queue */
};

struct _HeronImapConnection {
  GObject parent_instance;

  GMainContext *context;
  HeronImapConnectionSettings settings;
  HeronImapConnectionState state;
  GError *error;
  GCancellable *cancellable;          /* cancelled when the connection closes */

  /* transport */
  GSocketClient *client;
  GSocketConnection *socket_connection;
  GTlsConnection *tls;
  GIOStream *stream;                  /* socket_connection, or tls on it */
  GPollableInputStream *input;
  GOutputStream *output;
  GSource *read_source;
  guint8 *read_buffer;
  gboolean peer_is_loopback;

  /* COMPRESS=DEFLATE */
  GConverter *inflater;
  GConverter *deflater;
  guint8 *inflate_buffer;

  /* protocol */
  HeronImapParser *parser;
  guint in_feed;                      /* inside heron_imap_parser_feed() */
  gboolean route_failed;              /* the router stopped the parser, with a clear error */
  gboolean debug;                     /* debug logging is on for this domain */
  HeronImapTagGenerator *tags;
  HeronImapResponse *greeting;
  gboolean preauth;
  GPtrArray *capabilities;            /* upper-cased, NULL-terminated */
  HeronImapResponse *bye;

  /* commands */
  GQueue queue;                       /* Cmd waiting to be written, in order */
  GQueue inflight;                    /* Cmd written or being written, in order */
  GHashTable *by_tag;                 /* tag -> Cmd; cancelled commands stay until their reply */
  Cmd *writer;                        /* the command whose segments are being written */
  GQueue lines;                       /* GBytes: continuation answers to write next */
  gboolean write_busy;
  gboolean write_scheduled;
  gboolean in_pump;                   /* inside the pump: completions must not re-enter it */
  guint n_barriers;                   /* barriers in flight */
  /* STARTTLS or COMPRESS in flight: the reader feeds the parser line by line, so that it stops
   * right after the tagged OK; no other command starts until the switch is over. */
  CmdKind switch_kind;                /* CMD_KIND_USER: none */
  gboolean switch_now;                /* its tagged OK arrived: switch after this line */
  GTask *compress_task;
  guint64 discarded_bytes;            /* received after STARTTLS's OK, before the handshake */
  gboolean handshake_waiting;         /* STARTTLS's OK came before its own write completed */
  GBytes *pending_output;             /* what the pump is writing now */

  /* body sections: who gets the section being received */
  Cmd *body_owner;
  gboolean body_to_owner;             /* to body_owner's consumer; else collected */
  GByteArray *body_buffer;
  GPtrArray *collected;               /* GBytes (NULL: streamed) of the FETCH being received */

  /* certificates: the rules of net/heron-tls.h, from the settings */
  HeronTlsPolicy *tls_policy;

  /* time */
  GSource *timer;
  gint64 last_activity;               /* monotonic, of the last byte read or written */
  gint64 phase_deadline;              /* TCP connect or handshake, 0 otherwise */
  const char *phase;

  /* connect */
  GTask *connect_task;
  GSource *connect_cancel_source;
  gboolean greeting_seen;
};

/* heron-imap-connection-write.c */
void     _heron_imap_connection_pump              (HeronImapConnection *self);

/* heron-imap-connection-io.c */
void     _heron_imap_connection_fail              (HeronImapConnection *self,
                                                   GError              *error);
void     _heron_imap_connection_start_reading     (HeronImapConnection *self);
void     _heron_imap_connection_stop_reading      (HeronImapConnection *self);
void     _heron_imap_connection_schedule_write    (HeronImapConnection *self);
void     _heron_imap_connection_arm_timer         (HeronImapConnection *self);
void     _heron_imap_connection_enqueue           (HeronImapConnection *self,
                                                   Cmd                 *cmd);
Cmd     *_heron_imap_cmd_new                      (HeronImapCommand    *command,
                                                   CmdKind              kind,
                                                   HeronImapSendFlags   flags);
void     _heron_imap_cmd_free                     (Cmd                 *cmd);
/* The command's name for messages ("UID FETCH"). */
const char *_heron_imap_cmd_name                  (Cmd                 *cmd);
gboolean _heron_imap_connection_has_outstanding   (HeronImapConnection *self);
void     _heron_imap_connection_update_capabilities (HeronImapConnection    *self,
                                                     const HeronImapStrings *capabilities);
void     _heron_imap_connection_enable_compression (HeronImapConnection *self);
void     _heron_imap_connection_process          (HeronImapConnection *self,
                                                  const guint8        *data,
                                                  gsize                len);
void     _heron_imap_connection_set_streams      (HeronImapConnection *self,
                                                  GIOStream           *stream);
gboolean _heron_imap_connection_route            (HeronImapConnection *self,
                                                  HeronImapResponse   *response,
                                                  GError             **error);
void     _heron_imap_connection_complete         (HeronImapConnection *self,
                                                  Cmd                 *cmd,
                                                  HeronImapResponse   *tagged,
                                                  GError              *error);

/* heron-imap-connection.c: signals */
void     _heron_imap_connection_emit_unsolicited (HeronImapConnection *self,
                                                  HeronImapResponse   *response);
void     _heron_imap_connection_emit_alert       (HeronImapConnection *self,
                                                  const char          *text);
void     _heron_imap_connection_closed           (HeronImapConnection *self);
void     _heron_imap_connection_set_state        (HeronImapConnection      *self,
                                                  HeronImapConnectionState  state);

/* heron-imap-connection.c: the connection's own steps, called by the router */
gboolean _heron_imap_connection_on_greeting       (HeronImapConnection *self,
                                                   HeronImapResponse   *response,
                                                   GError             **error);
void     _heron_imap_connection_internal_done     (HeronImapConnection *self,
                                                   Cmd                 *cmd,
                                                   HeronImapResponse   *tagged);
void     _heron_imap_connection_start_handshake   (HeronImapConnection *self);
void     _heron_imap_connection_switch            (HeronImapConnection *self,
                                                   const guint8        *rest,
                                                   gsize                rest_len);

G_END_DECLS

/* heron-script-server-private.h: what the files of the scripted server share.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Two threads touch a server: the one that created it (the "test thread": it appends steps,
 * waits, reads the transcript and frees) and the server's own thread, which runs the steps with
 * blocking GIO calls on its private state (Run in heron-script-server-run.c, on that thread's
 * stack). Everything they share sits in HeronScriptServer under `mutex`, except the few fields
 * set once before the thread starts and left alone until it has been joined. Each field says
 * which it is.
 */

#pragma once

#include "heron-script-server.h"

G_BEGIN_DECLS

#define TAIL_LINES 40 /* transcript lines in an error message */

typedef enum {
  STEP_SEND,
  STEP_SEND_BYTES,
  STEP_SEND_GENERATED,
  STEP_SEND_GENERATED_UNTIL_CLOSE,
  STEP_EXPECT,
  STEP_EXPECT_DATA,
  STEP_EXPECT_LITERAL,
  STEP_START_TLS,
  STEP_IMPLICIT_TLS,
  STEP_TLS_REFUSED,
  STEP_SLEEP,
  STEP_CLOSE,
  STEP_DROP,
  STEP_HALF_CLOSE,
  STEP_EXPECT_CLOSE,
  STEP_NEXT_CONNECTION,
} StepKind;

/* Immutable once appended: the test thread builds it, the server thread only reads it. */
typedef struct {
  StepKind  kind;
  char     *text;    /* send: the text; expect, expect_data: the pattern; send_generated: the
                      * pattern of bytes */
  GBytes   *bytes;   /* send_bytes: the bytes; expect_literal: the expected bytes or NULL */
  guint64   size;    /* send_generated(_until_close), expect_literal */
  guint     ms;      /* sleep */
} Step;

struct _HeronScriptServer
{
  /* Set by new() before the thread starts; not changed until free() has joined the thread.
   * Both threads read them without the lock. */
  GSocket         *listener;      /* the thread closes it when the script ends */
  guint16          port;
  GCancellable    *cancellable;   /* cancelled by free(); GCancellable is thread-safe */
  GMainContext    *context;       /* the thread's thread-default context */
  GThread         *thread;

  /* The test thread's alone. */
  char            *dir;           /* temporary directory of the certificate files */
  char            *certificate_file;
  guint            certificate_serial;

  GMutex           mutex;
  GCond            cond;          /* steps appended, script ended, stopping, finished */
  /* Under `mutex`. */
  GPtrArray       *steps;         /* Step*, appended by the test thread, run in order */
  gboolean         ended;         /* no more steps will come */
  gboolean         stopping;      /* free() wants the thread to stop now */
  gboolean         finished;      /* the thread is done; `failure` is final */
  GError          *failure;       /* why the script failed, transcript included; NULL if OK */
  GString         *transcript;
  char            *position;      /* where the thread is, for a timeout message */
  GTlsCertificate *certificate;   /* what the next TLS step presents */
  guint64          discarded;
  guint            connections;
  GPtrArray       *waiters;       /* GTask* of wait_async(), returned when finished */
};

/* heron-script-server.c */
void        _heron_script_server_step_free        (gpointer           step);
char       *_heron_script_server_describe_step    (const Step        *step);

/* heron-script-server-run.c */
/* At most `max` bytes of `data`, escaped as in the transcript, then "...(N bytes)" if cut. */
char       *_heron_script_server_escape           (const void        *data,
                                                   gsize              len,
                                                   gsize              max);
/* The server thread's function; `data` is the server. */
gpointer    _heron_script_server_thread           (gpointer           data);
/* The last `n` lines of the transcript; the caller holds the lock. */
const char *_heron_script_server_transcript_tail  (HeronScriptServer *self,
                                                   guint              n);

/* heron-script-server-certificate.c */
/* Removes a directory and the files in it (not subdirectories); NULL does nothing. */
void        _heron_script_server_remove_dir       (const char        *dir);

G_END_DECLS

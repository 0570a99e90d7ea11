/* heron-imap-command-private.h: what the command builder's two files share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * heron-imap-command.c holds the generic builder (arguments, segments, logging, tags);
 * heron-imap-commands.c the constructors for each command, built on the helpers below.
 */

#pragma once

#include "heron-imap-command.h"

G_BEGIN_DECLS

typedef enum {
  PART_TEXT,
  PART_LITERAL,
  PART_CONTINUATION, /* end the line here and wait for "+" before the rest */
} PartKind;

typedef struct {
  PartKind kind;
  gboolean secret;
  GString *text;                        /* PART_TEXT */
  GBytes *bytes;                        /* PART_LITERAL, in memory */
  GInputStream *stream;                 /* PART_LITERAL, streamed */
  guint64 size;                         /* PART_LITERAL */
  HeronImapLiteralFlags literal_flags;  /* PART_LITERAL */
} Part;

struct _HeronImapCommand {
  gatomicrefcount ref_count;
  char *name;                    /* NULL for fragments and bare client lines */
  char *tag;
  HeronImapCommandFlags flags;
  guint tagged : 1;
  guint fragment : 1;
  guint need_space : 1;
  guint has_8bit : 1;            /* an 8-bit string: SEARCH needs a CHARSET for it */
  guint secret_continuations : 1; /* AUTHENTICATE: what the client answers "+" with is secret */
  guint depth;                   /* open parentheses */
  GPtrArray *parts;              /* of Part */
  GError *error;                 /* the first argument that could not be written */
};

typedef enum {
  NAME_MAILBOX,    /* mailbox: never empty, INBOX in any case is INBOX */
  NAME_REFERENCE,  /* a LIST reference: a mailbox name that may be empty */
  NAME_PATTERN,    /* list-mailbox: may be empty, "%" and "*" may go bare */
} NameKind;

HeronImapCommand *_heron_imap_command_new_internal   (const char            *name,
                                                      HeronImapCommandFlags  flags,
                                                      gboolean               tagged);
void              _heron_imap_command_begin_argument (HeronImapCommand      *self);
GString          *_heron_imap_command_current_text   (HeronImapCommand      *self);
GString          *_heron_imap_command_push_secret_text (HeronImapCommand    *self);
void              _heron_imap_command_push_continuation (HeronImapCommand   *self);
gboolean          _heron_imap_command_failed         (HeronImapCommand      *self);
void              _heron_imap_command_set_error      (HeronImapCommand      *self,
                                                      int                    code,
                                                      const char            *format,
                                                      ...) G_GNUC_PRINTF (3, 4);
void              _heron_imap_command_write_mailbox  (HeronImapCommand      *self,
                                                      const char            *name,
                                                      NameKind               kind);
void              _heron_imap_secure_clear           (void                  *data,
                                                      gsize                  length);

G_END_DECLS

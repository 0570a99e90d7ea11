/* heron-mime-private.h: what only backend/mime uses
 *
 * Copyright 2026 The Heron developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gmime/gmime.h>

#include "heron-mime-attachment.h"
#include "heron-mime-message.h"

G_BEGIN_DECLS

/* GMime 3.2 declares no autoptr cleanups. */
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GMimeStream, g_object_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GMimeParser, g_object_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GMimeMessage, g_object_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GMimeFormatOptions, g_mime_format_options_free)

/* heron-mime-init.c */
void         _heron_mime_ensure_init          (void);
GMimeParserOptions *_heron_mime_parser_options (void);
/* Defects GMime reported while parsing on this thread (not counting everyday sloppiness). */
void         _heron_mime_defects_reset        (void);
guint        _heron_mime_defects_get          (void);

/* heron-mime-charset.c: every conversion ends in valid UTF-8 without NUL bytes. */
const char  *_heron_mime_fallback_charset     (void);
/* Appends data in `charset` (NULL: unknown) to out; sets *replaced when bytes became U+FFFD. */
void         _heron_mime_append_converted     (GString      *out,
                                               const guchar *data,
                                               gsize         len,
                                               const char   *charset,
                                               gboolean     *replaced);
char        *_heron_mime_to_utf8              (const guchar *data,
                                               gsize         len,
                                               const char   *charset,
                                               gboolean     *replaced);
/* Appends valid UTF-8 only: invalid sequences and NUL become U+FFFD. */
void         _heron_mime_append_sanitized     (GString      *out,
                                               const char   *data,
                                               gsize         len,
                                               gboolean     *replaced);
/* Cuts str at a character boundary at or before max_bytes; TRUE if it cut. */
gboolean     _heron_mime_truncate_utf8        (GString      *str,
                                               gsize         max_bytes);

/* heron-mime-headers.c */
char        *_heron_mime_unfold               (const char   *raw,
                                               gsize         len,
                                               gboolean     *bare_newline);
/* The content of the first <...> of a msg-id header, or the trimmed value. */
char        *_heron_mime_parse_msgid          (const char   *value);
GStrv        _heron_mime_parse_msgid_list     (const char   *value,
                                               guint         max_ids);

/* heron-mime-part.c: decoding part content */
typedef struct {
  GByteArray           *array;     /* the bytes the content is a slice of */
  gsize                 start;
  gsize                 end;
  GMimeContentEncoding  encoding;  /* transfer encoding to undo */
} HeronMimeSource;

gboolean     _heron_mime_source_init          (HeronMimeSource *source,
                                               GMimePart       *part,
                                               GByteArray      *raw);
void         _heron_mime_source_clear         (HeronMimeSource *source);
/* Calls func with each chunk of decoded content; func returns FALSE to stop (with or without
 * an error). Thread-safe: reads only the immutable bytes of the source. */
typedef gboolean (*HeronMimeChunkFunc) (const guint8 *data,
                                        gsize         len,
                                        gpointer      user_data,
                                        GError      **error);
gboolean     _heron_mime_source_process       (const HeronMimeSource *source,
                                               HeronMimeChunkFunc     func,
                                               gpointer               user_data,
                                               GCancellable          *cancellable,
                                               GError               **error);
/* Decodes the transfer encoding of source into out, at most max bytes; TRUE if it stopped at max. */
gboolean     _heron_mime_source_decode        (const HeronMimeSource *source,
                                               GByteArray      *out,
                                               gsize            max);
/* The decoded size, counted without keeping the bytes. */
goffset      _heron_mime_source_decoded_size  (const HeronMimeSource *source);
/* The text of a text part as UTF-8 with LF line ends, at most max bytes. */
char        *_heron_mime_part_get_text        (GMimePart  *part,
                                               GByteArray *raw,
                                               gsize       max,
                                               gboolean    is_html,
                                               gboolean   *truncated);
char        *_heron_mime_content_type_string  (GMimeObject *object);
char        *_heron_mime_object_filename      (GMimeObject *object);
char        *_heron_mime_safe_filename        (const char  *name);

/* heron-mime-structure.c: the walk over the MIME tree */
typedef struct _HeronMimeStructure HeronMimeStructure;

HeronMimeStructure   *_heron_mime_structure_new        (GMimeObject        *root,
                                                        GByteArray         *raw);
void                  _heron_mime_structure_free       (HeronMimeStructure *self);
HeronMimeMessageFlags _heron_mime_structure_get_flags  (HeronMimeStructure *self);
GPtrArray            *_heron_mime_structure_get_attachments (HeronMimeStructure *self);
HeronMimeBodyKind     _heron_mime_structure_render     (HeronMimeStructure *self,
                                                        gboolean            prefer_html,
                                                        gsize               max,
                                                        char              **out_text,
                                                        gboolean           *truncated);
GMimeObject          *_heron_mime_structure_lookup_cid (HeronMimeStructure *self,
                                                        const char         *cid);

/* heron-mime-composition.c */
#include "heron-mime-composer.h"
const char           *_heron_mime_compose_kind_to_string (HeronMimeComposeKind kind);
HeronAccountIdentity *_heron_mime_find_identity          (GPtrArray  *identities,
                                                          const char *address);

/* heron-mime-attachment.c */
HeronMimeAttachment *_heron_mime_attachment_new (GMimeObject          *object,
                                                 GByteArray           *raw,
                                                 HeronMimeAttachmentKind kind,
                                                 gboolean              is_inline);
GMimeObject *_heron_mime_attachment_get_object (HeronMimeAttachment *self);

/* heron-mime-message.c */
HeronMimeMessage *_heron_mime_message_new_for_gmime (GMimeMessage *message,
                                                     GByteArray   *raw);
GMimeMessage     *_heron_mime_message_get_gmime     (HeronMimeMessage *self);

G_END_DECLS

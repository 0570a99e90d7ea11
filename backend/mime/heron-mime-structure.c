/* heron-mime-structure.c: the walk that turns a MIME tree into body segments and attachments
 *
 * The walk keeps two lists of body segments at once: the one shown when the user prefers plain
 * text and the one shown when the user prefers HTML; they differ only below multipart/alternative.
 * Attachments and cid: parts are collected from every branch walked. docs/mime.md states the
 * rules; the corpus tests pin them.
 *
 * Copyright 2026 The Heron developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "heron-mime-flowed.h"
#include "heron-mime-html.h"
#include "heron-mime-private.h"

#define MODE_PLAIN 1
#define MODE_HTML  2
#define MODE_BOTH  (MODE_PLAIN | MODE_HTML)

#define HAS_PLAIN 1
#define HAS_HTML  2

#define CLASSIFY_BUDGET 256

typedef struct {
  GMimePart *part;
  gboolean   html;
  char      *text;   /* text without a part (the content of a broken multipart), or NULL */
} Segment;

static void
segment_free (Segment *seg)
{
  g_free (seg->text);
  g_free (seg);
}

struct _HeronMimeStructure {
  GByteArray           *raw;
  GPtrArray            *plain;        /* Segment* shown when plain text is preferred */
  GPtrArray            *html;         /* Segment* shown when HTML is preferred */
  GPtrArray            *attachments;  /* HeronMimeAttachment* */
  GHashTable           *seen;         /* GMimeObject* already listed as attachments */
  GHashTable           *cids;         /* Content-ID -> GMimeObject* (owned by the tree) */
  HeronMimeMessageFlags flags;
  guint                 parts;
};

static void walk (HeronMimeStructure *self, GMimeObject *object, guint depth, guint mode,
                  gboolean related_resource);

static gboolean
type_is (GMimeObject *object,
         const char  *type,
         const char  *subtype)
{
  GMimeContentType *ct = g_mime_object_get_content_type (object);

  return ct != NULL && g_mime_content_type_is_type (ct, type, subtype);
}

static gboolean
disposition_is_attachment (GMimeObject *object)
{
  const char *d = g_mime_object_get_disposition (object);

  return d != NULL && g_ascii_strcasecmp (d, "inline") != 0;
}

static gboolean
disposition_is_inline (GMimeObject *object)
{
  const char *d = g_mime_object_get_disposition (object);

  return d != NULL && g_ascii_strcasecmp (d, "inline") == 0;
}

static gboolean
has_filename (GMimeObject *object)
{
  const char *f = g_mime_object_get_content_disposition_parameter (object, "filename");
  const char *n = g_mime_object_get_content_type_parameter (object, "name");

  return (f != NULL && *f != '\0') || (n != NULL && *n != '\0');
}

/* text subtypes that are data, not something to read as the message */
static gboolean
is_text_data (GMimeObject *object)
{
  static const char * const subtypes[] = {
    "calendar", "x-vcalendar", "vcard", "x-vcard", "directory", "rtf", "richtext", "csv",
    "tab-separated-values", "rfc822-headers", "xml", "x-vcard", NULL
  };

  for (guint i = 0; subtypes[i] != NULL; i++)
    if (type_is (object, "text", subtypes[i]))
      return TRUE;
  return FALSE;
}

/* 0, HAS_PLAIN or HAS_HTML if the part is a body segment */
static guint
leaf_body_kind (GMimeObject *object)
{
  if (!GMIME_IS_PART (object) || !type_is (object, "text", "*"))
    return 0;
  if (disposition_is_attachment (object) || has_filename (object) || is_text_data (object))
    return 0;
  return type_is (object, "text", "html") ? HAS_HTML : HAS_PLAIN;
}

static GMimeObject *
related_root (GMimeMultipart *mp)
{
  const char *start = g_mime_object_get_content_type_parameter (GMIME_OBJECT (mp), "start");
  int n = g_mime_multipart_get_count (mp);

  if (n <= 0)
    return NULL;
  if (start != NULL)
    {
      g_autofree char *id = _heron_mime_parse_msgid (start);

      for (int i = 0; id != NULL && i < n && i < HERON_MIME_MAX_PARTS; i++)
        {
          GMimeObject *child = g_mime_multipart_get_part (mp, i);
          const char *cid = g_mime_object_get_content_id (child);

          if (cid != NULL && strcmp (cid, id) == 0)
            return child;
        }
    }
  return g_mime_multipart_get_part (mp, 0);
}

static guint
classify (GMimeObject *object,
          guint        depth,
          guint       *budget)
{
  guint result = 0;

  if (depth > HERON_MIME_MAX_DEPTH || *budget == 0)
    return 0;
  (*budget)--;

  if (GMIME_IS_MULTIPART_ENCRYPTED (object))
    return 0;
  if (GMIME_IS_MULTIPART_SIGNED (object))
    {
      GMimeMultipart *mp = GMIME_MULTIPART (object);

      return g_mime_multipart_get_count (mp) > 0 ?
             classify (g_mime_multipart_get_part (mp, 0), depth + 1, budget) : 0;
    }
  if (GMIME_IS_MULTIPART (object))
    {
      GMimeMultipart *mp = GMIME_MULTIPART (object);
      int n = g_mime_multipart_get_count (mp);

      if (type_is (object, "multipart", "related"))
        {
          GMimeObject *root = related_root (mp);

          return root != NULL ? classify (root, depth + 1, budget) : 0;
        }
      for (int i = 0; i < n && *budget > 0; i++)
        result |= classify (g_mime_multipart_get_part (mp, i), depth + 1, budget);
      return result;
    }
  return leaf_body_kind (object);
}

static void
add_segment (HeronMimeStructure *self,
             GMimePart          *part,
             gboolean            html,
             guint               mode)
{
  Segment *seg = g_new0 (Segment, 1);

  seg->part = part;
  seg->html = html;
  /* both lists may share the segment: the plain list owns it, the HTML list frees only its own */
  if (mode & MODE_PLAIN)
    g_ptr_array_add (self->plain, seg);
  if (mode & MODE_HTML)
    {
      Segment *copy = seg;

      if (mode & MODE_PLAIN)
        {
          copy = g_memdup2 (seg, sizeof *seg);
          copy->text = g_strdup (seg->text);
        }
      g_ptr_array_add (self->html, copy);
    }
  if (!(mode & MODE_PLAIN) && !(mode & MODE_HTML))
    segment_free (seg);
}

/* A multipart without parts (no boundary, or none found): its content, kept by GMime as the
 * prologue, is shown as plain text rather than lost. */
static void
add_orphan_text (HeronMimeStructure *self,
                 GMimeMultipart     *mp,
                 guint               mode)
{
  const char *prologue = g_mime_multipart_get_prologue (mp);
  Segment *seg;

  if (prologue == NULL || *prologue == '\0')
    return;
  seg = g_new0 (Segment, 1);
  seg->text = _heron_mime_to_utf8 ((const guchar *) prologue, strlen (prologue), NULL, NULL);
  if (mode & MODE_PLAIN)
    g_ptr_array_add (self->plain, seg);
  if (mode & MODE_HTML)
    {
      Segment *copy = seg;

      if (mode & MODE_PLAIN)
        {
          copy = g_new0 (Segment, 1);
          copy->text = g_strdup (seg->text);
        }
      g_ptr_array_add (self->html, copy);
    }
}

static void
add_attachment (HeronMimeStructure     *self,
                GMimeObject            *object,
                HeronMimeAttachmentKind kind,
                gboolean                is_inline)
{
  if (g_hash_table_contains (self->seen, object))
    return;
  g_hash_table_add (self->seen, object);
  g_ptr_array_add (self->attachments, _heron_mime_attachment_new (object, self->raw, kind, is_inline));
}

static void
register_cid (HeronMimeStructure *self,
              GMimeObject        *object)
{
  const char *cid = g_mime_object_get_content_id (object);

  if (cid != NULL && *cid != '\0' && !g_hash_table_contains (self->cids, cid))
    g_hash_table_insert (self->cids, g_strdup (cid), object);
}

/* Looks at the first decoded bytes of a text part for an inline OpenPGP block. */
static const char *
inline_pgp (HeronMimeStructure *self,
            GMimePart          *part)
{
  HeronMimeSource source;
  g_autoptr(GByteArray) head = g_byte_array_new ();
  gsize i = 0;

  _heron_mime_source_init (&source, part, self->raw);
  _heron_mime_source_decode (&source, head, 256);
  _heron_mime_source_clear (&source);
  while (i < head->len && g_ascii_isspace (head->data[i]))
    i++;
  if (head->len - i >= 27 && memcmp (head->data + i, "-----BEGIN PGP MESSAGE-----", 27) == 0)
    return "encrypted";
  if (head->len - i >= 34 && memcmp (head->data + i, "-----BEGIN PGP SIGNED MESSAGE-----", 34) == 0)
    return "signed";
  return NULL;
}

static void
walk_leaf (HeronMimeStructure *self,
           GMimeObject        *object,
           guint               mode,
           gboolean            related_resource)
{
  guint body = leaf_body_kind (object);

  if (GMIME_IS_MESSAGE_PART (object))
    {
      add_attachment (self, object, HERON_MIME_ATTACHMENT_MESSAGE, disposition_is_inline (object));
      return;
    }
  if (GMIME_IS_APPLICATION_PKCS7_MIME (object))
    {
      GMimeSecureMimeType t = g_mime_application_pkcs7_mime_get_smime_type (GMIME_APPLICATION_PKCS7_MIME (object));

      if (t == GMIME_SECURE_MIME_TYPE_SIGNED_DATA)
        {
          self->flags |= HERON_MIME_MESSAGE_SIGNED;
          add_attachment (self, object, HERON_MIME_ATTACHMENT_FILE, FALSE);
        }
      else
        {
          self->flags |= HERON_MIME_MESSAGE_ENCRYPTED;
          add_attachment (self, object, HERON_MIME_ATTACHMENT_ENCRYPTED, FALSE);
        }
      return;
    }
  if (!GMIME_IS_PART (object))
    {
      /* message/partial and anything else GMime has a class for */
      add_attachment (self, object, HERON_MIME_ATTACHMENT_FILE, FALSE);
      return;
    }
  if (type_is (object, "application", "pgp-encrypted"))
    {
      self->flags |= HERON_MIME_MESSAGE_ENCRYPTED;
      add_attachment (self, object, HERON_MIME_ATTACHMENT_ENCRYPTED, FALSE);
      return;
    }
  if (body == HAS_PLAIN)
    {
      const char *pgp = inline_pgp (self, GMIME_PART (object));

      if (g_strcmp0 (pgp, "encrypted") == 0)
        {
          self->flags |= HERON_MIME_MESSAGE_ENCRYPTED;
          add_attachment (self, object, HERON_MIME_ATTACHMENT_ENCRYPTED, FALSE);
          return;
        }
      if (g_strcmp0 (pgp, "signed") == 0)
        self->flags |= HERON_MIME_MESSAGE_SIGNED;
    }
  if (body != 0 && !related_resource)
    {
      add_segment (self, GMIME_PART (object), body == HAS_HTML, mode);
      return;
    }
  add_attachment (self, object, HERON_MIME_ATTACHMENT_FILE,
                  disposition_is_inline (object) ||
                  (related_resource && g_mime_object_get_content_id (object) != NULL));
}

static void
walk_alternative (HeronMimeStructure *self,
                  GMimeMultipart     *mp,
                  guint               depth,
                  guint               mode)
{
  int n = g_mime_multipart_get_count (mp);
  int plain_idx = -1, html_idx = -1, any_plain = -1, any_html = -1;

  for (int i = 0; i < n && i < HERON_MIME_MAX_PARTS; i++)
    {
      guint budget = CLASSIFY_BUDGET;
      guint kind = classify (g_mime_multipart_get_part (mp, i), depth + 1, &budget);

      if (kind & HAS_PLAIN)
        any_plain = i;
      if (kind & HAS_HTML)
        any_html = i;
    }
  /* the last alternative is the richest (RFC 2046 5.1.4) */
  plain_idx = any_plain >= 0 ? any_plain : any_html;
  html_idx = any_html >= 0 ? any_html : any_plain;

  if (plain_idx < 0)
    {
      /* nothing readable: show every alternative as an attachment rather than nothing */
      for (int i = 0; i < n; i++)
        walk (self, g_mime_multipart_get_part (mp, i), depth + 1, mode, FALSE);
      return;
    }

  for (int i = 0; i < n; i++)
    {
      GMimeObject *child = g_mime_multipart_get_part (mp, i);
      guint m = 0;

      if ((mode & MODE_PLAIN) && i == plain_idx)
        m |= MODE_PLAIN;
      if ((mode & MODE_HTML) && i == html_idx)
        m |= MODE_HTML;
      if (m != 0)
        walk (self, child, depth + 1, m, FALSE);
      else if (GMIME_IS_PART (child) && (type_is (child, "text", "calendar") ||
                                         type_is (child, "text", "x-vcalendar")))
        {
          /* an invitation offered as an alternative (Outlook) is listed, not hidden */
          if (self->parts++ < HERON_MIME_MAX_PARTS)
            add_attachment (self, child, HERON_MIME_ATTACHMENT_FILE, FALSE);
        }
    }
}

static void
walk (HeronMimeStructure *self,
      GMimeObject        *object,
      guint               depth,
      guint               mode,
      gboolean            related_resource)
{
  if (object == NULL)
    return;
  if (depth > HERON_MIME_MAX_DEPTH)
    {
      self->flags |= HERON_MIME_MESSAGE_TOO_DEEP;
      return;
    }
  if (self->parts >= HERON_MIME_MAX_PARTS)
    {
      self->flags |= HERON_MIME_MESSAGE_TOO_MANY_PARTS;
      return;
    }
  self->parts++;

  if (!GMIME_IS_MULTIPART (object))
    {
      register_cid (self, object);
      walk_leaf (self, object, mode, related_resource);
      return;
    }

  if (GMIME_IS_MULTIPART_SIGNED (object))
    {
      GMimeMultipart *mp = GMIME_MULTIPART (object);

      self->flags |= HERON_MIME_MESSAGE_SIGNED;
      /* the signed content; the signature part is what the SIGNED flag stands for */
      if (g_mime_multipart_get_count (mp) > 0)
        walk (self, g_mime_multipart_get_part (mp, 0), depth + 1, mode, FALSE);
      return;
    }
  if (GMIME_IS_MULTIPART_ENCRYPTED (object))
    {
      GMimeMultipart *mp = GMIME_MULTIPART (object);
      int n = g_mime_multipart_get_count (mp);

      self->flags |= HERON_MIME_MESSAGE_ENCRYPTED;
      /* part 1 is "Version: 1", part 2 the ciphertext (RFC 1847, RFC 3156) */
      if (n > 0)
        add_attachment (self, g_mime_multipart_get_part (mp, n > 1 ? 1 : 0),
                        HERON_MIME_ATTACHMENT_ENCRYPTED, FALSE);
      return;
    }

  if (g_mime_multipart_get_count (GMIME_MULTIPART (object)) == 0)
    add_orphan_text (self, GMIME_MULTIPART (object), mode);
  else if (type_is (object, "multipart", "alternative"))
    walk_alternative (self, GMIME_MULTIPART (object), depth, mode);
  else if (type_is (object, "multipart", "related"))
    {
      GMimeMultipart *mp = GMIME_MULTIPART (object);
      GMimeObject *root = related_root (mp);
      int n = g_mime_multipart_get_count (mp);

      walk (self, root, depth + 1, mode, FALSE);
      for (int i = 0; i < n; i++)
        {
          GMimeObject *child = g_mime_multipart_get_part (mp, i);

          if (child != root)
            walk (self, child, depth + 1, mode, TRUE);
        }
    }
  else
    {
      /* mixed, digest, report, parallel and unknown subtypes: every part in order */
      GMimeMultipart *mp = GMIME_MULTIPART (object);
      int n = g_mime_multipart_get_count (mp);

      for (int i = 0; i < n; i++)
        walk (self, g_mime_multipart_get_part (mp, i), depth + 1, mode, FALSE);
    }
}

HeronMimeStructure *
_heron_mime_structure_new (GMimeObject *root,
                           GByteArray  *raw)
{
  HeronMimeStructure *self = g_new0 (HeronMimeStructure, 1);

  self->raw = g_byte_array_ref (raw);
  self->plain = g_ptr_array_new_with_free_func ((GDestroyNotify) segment_free);
  self->html = g_ptr_array_new_with_free_func ((GDestroyNotify) segment_free);
  self->attachments = g_ptr_array_new_with_free_func (g_object_unref);
  self->seen = g_hash_table_new (NULL, NULL);
  self->cids = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  walk (self, root, 1, MODE_BOTH, FALSE);
  g_clear_pointer (&self->seen, g_hash_table_unref);
  return self;
}

void
_heron_mime_structure_free (HeronMimeStructure *self)
{
  if (self == NULL)
    return;
  g_ptr_array_unref (self->plain);
  g_ptr_array_unref (self->html);
  g_ptr_array_unref (self->attachments);
  g_hash_table_unref (self->cids);
  g_byte_array_unref (self->raw);
  g_free (self);
}

HeronMimeMessageFlags
_heron_mime_structure_get_flags (HeronMimeStructure *self)
{
  return self->flags;
}

GPtrArray *
_heron_mime_structure_get_attachments (HeronMimeStructure *self)
{
  return self->attachments;
}

static char *
segment_text (HeronMimeStructure *self,
              Segment            *seg,
              gboolean            as_plain,
              gboolean           *truncated)
{
  char *text;

  if (seg->part == NULL)
    return g_strdup (seg->text != NULL ? seg->text : "");
  text = _heron_mime_part_get_text (seg->part, self->raw, HERON_MIME_MAX_PART_TEXT, seg->html,
                                    truncated);

  if (seg->html && as_plain)
    {
      char *plain = heron_mime_html_to_text (text, -1, HERON_MIME_MAX_PART_TEXT);

      g_free (text);
      return plain;
    }
  if (!seg->html)
    {
      const char *format = g_mime_object_get_content_type_parameter (GMIME_OBJECT (seg->part), "format");
      const char *delsp = g_mime_object_get_content_type_parameter (GMIME_OBJECT (seg->part), "delsp");

      if (format != NULL && g_ascii_strcasecmp (format, "flowed") == 0)
        {
          char *joined = heron_mime_flowed_decode (text, delsp != NULL &&
                                                         g_ascii_strcasecmp (delsp, "yes") == 0);

          g_free (text);
          return joined;
        }
    }
  return text;
}

static void
append_html_escaped (GString    *out,
                     const char *text)
{
  for (const char *p = text; *p != '\0'; p++)
    {
      switch (*p)
        {
        case '<': g_string_append (out, "&lt;"); break;
        case '>': g_string_append (out, "&gt;"); break;
        case '&': g_string_append (out, "&amp;"); break;
        case '"': g_string_append (out, "&quot;"); break;
        default: g_string_append_c (out, *p); break;
        }
    }
}

HeronMimeBodyKind
_heron_mime_structure_render (HeronMimeStructure *self,
                              gboolean            prefer_html,
                              gsize               max,
                              char              **out_text,
                              gboolean           *truncated)
{
  GPtrArray *segments = prefer_html ? self->html : self->plain;
  gboolean any_html = FALSE;
  GString *out;

  if (segments->len == 0)
    {
      if (out_text != NULL)
        *out_text = g_strdup ("");
      return HERON_MIME_BODY_NONE;
    }
  if (prefer_html)
    for (guint i = 0; i < segments->len; i++)
      if (((Segment *) g_ptr_array_index (segments, i))->html)
        any_html = TRUE;

  if (out_text == NULL)
    return any_html ? HERON_MIME_BODY_HTML : HERON_MIME_BODY_PLAIN;

  if (segments->len == 1)
    {
      out = g_string_new (NULL);
      {
        g_autofree char *text = segment_text (self, g_ptr_array_index (segments, 0), !any_html,
                                              truncated);
        g_string_append (out, text);
      }
    }
  else if (any_html)
    {
      /* several parts in one document: HTML as it is, plain text escaped and preformatted */
      out = g_string_new ("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"></head><body>\n");
      for (guint i = 0; i < segments->len && out->len < max; i++)
        {
          Segment *seg = g_ptr_array_index (segments, i);
          g_autofree char *text = segment_text (self, seg, FALSE, truncated);

          if (seg->html)
            {
              g_string_append (out, "<div class=\"heron-part\">\n");
              g_string_append (out, text);
              g_string_append (out, "\n</div>\n");
            }
          else
            {
              g_string_append (out, "<div class=\"heron-part heron-plain\"><pre style=\"white-space: pre-wrap\">");
              append_html_escaped (out, text);
              g_string_append (out, "</pre></div>\n");
            }
        }
      g_string_append (out, "</body></html>\n");
    }
  else
    {
      out = g_string_new (NULL);
      for (guint i = 0; i < segments->len && out->len < max; i++)
        {
          g_autofree char *text = segment_text (self, g_ptr_array_index (segments, i), TRUE,
                                                truncated);

          if (out->len > 0 && out->str[out->len - 1] != '\n')
            g_string_append_c (out, '\n');
          g_string_append (out, text);
        }
    }

  if (_heron_mime_truncate_utf8 (out, max) && truncated != NULL)
    *truncated = TRUE;
  *out_text = g_string_free (out, FALSE);
  return any_html ? HERON_MIME_BODY_HTML : HERON_MIME_BODY_PLAIN;
}

GMimeObject *
_heron_mime_structure_lookup_cid (HeronMimeStructure *self,
                                  const char         *cid)
{
  GMimeObject *object = g_hash_table_lookup (self->cids, cid);
  GHashTableIter iter;
  gpointer key, value;

  if (object != NULL)
    return object;
  /* Content-IDs are msg-ids: the domain part is case-insensitive in practice */
  g_hash_table_iter_init (&iter, self->cids);
  while (g_hash_table_iter_next (&iter, &key, &value))
    if (g_ascii_strcasecmp (key, cid) == 0)
      return value;
  return NULL;
}

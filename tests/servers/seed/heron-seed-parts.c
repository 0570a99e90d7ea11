/* heron-seed-parts.c: the binary content of attachments.
 *
 * PNGs are real images (stored deflate blocks, so no zlib is needed) and PDFs real one-page
 * documents, so the demo can show them; the rest carry the right magic numbers around
 * pseudo-random bytes.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "heron-seed-private.h"

#include <string.h>

const HeronSeedAttType _heron_seed_att_types[HERON_SEED_N_ATT] = {
  [HERON_SEED_ATT_PDF] = { "application/pdf", "pdf" },
  [HERON_SEED_ATT_PNG] = { "image/png", "png" },
  [HERON_SEED_ATT_JPEG] = { "image/jpeg", "jpg" },
  [HERON_SEED_ATT_TEXT] = { "text/plain", "txt" },
  [HERON_SEED_ATT_CSV] = { "text/csv", "csv" },
  [HERON_SEED_ATT_ICS] = { "text/calendar", "ics" },
  [HERON_SEED_ATT_DOCX] = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx" },
  [HERON_SEED_ATT_ZIP] = { "application/zip", "zip" },
};

void
_heron_seed_fill_random (guint8 *dest, HeronSeedRng *rng, gsize len)
{
  gsize i = 0;

  /* Byte by byte from each 64-bit value, so the content does not depend on endianness. */
  for (; i + 8 <= len; i += 8)
    {
      guint64 v = _heron_seed_rng_next (rng);

      for (int k = 0; k < 8; k++)
        dest[i + k] = (guint8) (v >> (8 * k));
    }
  if (i < len)
    {
      guint64 v = _heron_seed_rng_next (rng);

      for (int k = 0; i < len; i++, k++)
        dest[i] = (guint8) (v >> (8 * k));
    }
}

static void
put_be32 (guint8 *p, guint32 v)
{
  p[0] = (guint8) (v >> 24);
  p[1] = (guint8) (v >> 16);
  p[2] = (guint8) (v >> 8);
  p[3] = (guint8) v;
}

static void
append_be32 (GString *bin, guint32 v)
{
  guint8 b[4];

  put_be32 (b, v);
  g_string_append_len (bin, (const char *) b, 4);
}

/* Scan lines of an RGB picture: a colour gradient with grain, filter type 0 on each row. */
typedef struct {
  guint   width;
  guint   height;
  guint   x;         /* byte within the row, 0 being the filter byte */
  guint   y;
  guint64 noise;
  guint   noise_left;
  guint8  hue;
} PngRows;

static guint8
png_rows_next (PngRows *rows, HeronSeedRng *rng)
{
  guint8 v;

  if (rows->x == 0)
    v = 0;
  else
    {
      guint px = (rows->x - 1) / 3;
      guint channel = (rows->x - 1) % 3;
      guint grain;

      if (rows->noise_left == 0)
        {
          rows->noise = _heron_seed_rng_next (rng);
          rows->noise_left = 8;
        }
      grain = (guint) (rows->noise & 31);
      rows->noise >>= 8;
      rows->noise_left--;

      if (channel == 0)
        v = (guint8) ((px * 200u) / rows->width + grain);
      else if (channel == 1)
        v = (guint8) ((rows->y * 200u) / rows->height + grain);
      else
        v = (guint8) (rows->hue + ((px ^ rows->y) & 31) + grain);
    }

  if (++rows->x == 1 + rows->width * 3)
    {
      rows->x = 0;
      rows->y++;
    }
  return v;
}

void
_heron_seed_make_png (GString *bin, HeronSeedRng *rng, guint width, guint height)
{
  static const guint8 signature[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };
  PngRows rows = { width, height, 0, 0, 0, 0, (guint8) _heron_seed_below (rng, 160) };
  gsize raw_len = (gsize) height * (1 + (gsize) width * 3);
  gsize n_blocks = (raw_len + 65534) / 65535;
  gsize idat_len = 2 + n_blocks * 5 + raw_len + 4;
  guint64 s1 = 1, s2 = 0;
  gsize chunk_start;
  guint8 *p;
  guint8 ihdr[13];

  g_assert (width > 0 && height > 0);

  g_string_truncate (bin, 0);
  g_string_append_len (bin, (const char *) signature, 8);

  put_be32 (ihdr, width);
  put_be32 (ihdr + 4, height);
  ihdr[8] = 8;      /* bits per sample */
  ihdr[9] = 2;      /* RGB */
  ihdr[10] = 0;     /* deflate */
  ihdr[11] = 0;     /* adaptive filtering */
  ihdr[12] = 0;     /* no interlace */
  append_be32 (bin, 13);
  chunk_start = bin->len;
  g_string_append_len (bin, "IHDR", 4);
  g_string_append_len (bin, (const char *) ihdr, 13);
  append_be32 (bin, _heron_seed_crc32 (0, (const guint8 *) bin->str + chunk_start, 17));

  /* One IDAT chunk holding a zlib stream of stored (uncompressed) deflate blocks. */
  append_be32 (bin, (guint32) idat_len);
  chunk_start = bin->len;
  g_string_set_size (bin, chunk_start + 4 + idat_len);
  p = (guint8 *) bin->str + chunk_start;
  memcpy (p, "IDAT", 4);
  p += 4;
  *p++ = 0x78;      /* deflate, 32K window */
  *p++ = 0x01;      /* no preset dictionary, fastest; 0x7801 % 31 == 0 */
  for (gsize left = raw_len; left > 0;)
    {
      guint16 n = (guint16) MIN (left, 65535);

      *p++ = left == n ? 1 : 0;     /* BFINAL, BTYPE 00 */
      p[0] = (guint8) n;
      p[1] = (guint8) (n >> 8);
      p[2] = (guint8) ~n;
      p[3] = (guint8) (~n >> 8);
      p += 4;
      for (guint i = 0; i < n; i++)
        {
          guint8 v = png_rows_next (&rows, rng);

          *p++ = v;
          s1 += v;
          s2 += s1;
        }
      s1 %= 65521;
      s2 %= 65521;
      left -= n;
    }
  put_be32 (p, (guint32) ((s2 << 16) | s1));
  p += 4;
  g_assert ((gsize) ((char *) p - bin->str) == bin->len);
  append_be32 (bin, _heron_seed_crc32 (0, (const guint8 *) bin->str + chunk_start, 4 + idat_len));

  append_be32 (bin, 0);
  chunk_start = bin->len;
  g_string_append_len (bin, "IEND", 4);
  append_be32 (bin, _heron_seed_crc32 (0, (const guint8 *) bin->str + chunk_start, 4));
}

void
_heron_seed_make_pdf (GString *bin, HeronSeedRng *rng, gsize size, const char *title)
{
  gsize offsets[7];
  g_autoptr(GString) content = g_string_new ("BT /F1 20 Tf 72 760 Td (");
  gsize pad;
  gsize xref;

  /* The page shows the title, in PDF string syntax; Helvetica here only knows ASCII. */
  for (const char *t = title; *t != '\0'; t++)
    {
      if ((guchar) *t >= 0x80)
        continue;
      if (*t == '(' || *t == ')' || *t == '\\')
        g_string_append_c (content, '\\');
      g_string_append_c (content, *t);
    }
  g_string_append (content, ") Tj ET\nBT /F1 11 Tf 72 730 Td (Generated by heron-seed.) Tj ET\n");

  g_string_truncate (bin, 0);
  g_string_append (bin, "%PDF-1.4\n%\xe2\xe3\xcf\xd3\n");
  offsets[1] = bin->len;
  g_string_append (bin, "1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n");
  offsets[2] = bin->len;
  g_string_append (bin, "2 0 obj\n<< /Type /Pages /Kids [3 0 R] /Count 1 >>\nendobj\n");
  offsets[3] = bin->len;
  g_string_append (bin, "3 0 obj\n<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842]\n"
                        "   /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>\nendobj\n");
  offsets[4] = bin->len;
  g_string_append_printf (bin, "4 0 obj\n<< /Length %" G_GSIZE_FORMAT " >>\nstream\n%s"
                          "endstream\nendobj\n", content->len, content->str);
  offsets[5] = bin->len;
  g_string_append (bin, "5 0 obj\n<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>\n"
                        "endobj\n");

  /* An unreferenced binary stream brings the file to about the size asked for, as embedded
   * fonts and pictures do in real documents. */
  pad = size > bin->len + 400 ? size - bin->len - 400 : 64;
  offsets[6] = bin->len;
  g_string_append_printf (bin, "6 0 obj\n<< /Length %" G_GSIZE_FORMAT " >>\nstream\n", pad);
  {
    gsize at = bin->len;

    g_string_set_size (bin, at + pad);
    _heron_seed_fill_random ((guint8 *) bin->str + at, rng, pad);
  }
  g_string_append (bin, "\nendstream\nendobj\n");

  xref = bin->len;
  g_string_append (bin, "xref\n0 7\n0000000000 65535 f \n");
  for (int i = 1; i <= 6; i++)
    g_string_append_printf (bin, "%010" G_GSIZE_FORMAT " 00000 n \n", offsets[i]);
  g_string_append_printf (bin, "trailer\n<< /Size 7 /Root 1 0 R >>\nstartxref\n%"
                          G_GSIZE_FORMAT "\n%%%%EOF\n", xref);
}

void
_heron_seed_make_binary (GString *bin, HeronSeedRng *rng, gsize size, const char *magic,
                         gsize magic_len, const char *trailer, gsize trailer_len)
{
  gsize body = size > magic_len + trailer_len ? size - magic_len - trailer_len : 16;

  g_string_truncate (bin, 0);
  g_string_append_len (bin, magic, (gssize) magic_len);
  g_string_set_size (bin, magic_len + body);
  _heron_seed_fill_random ((guint8 *) bin->str + magic_len, rng, body);
  g_string_append_len (bin, trailer, (gssize) trailer_len);
}

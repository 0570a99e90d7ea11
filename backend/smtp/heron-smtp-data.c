/* heron-smtp-data.c: line ends, dot-stuffing and the end of DATA
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A CR is held back until the next byte shows whether it is half of a CRLF (possibly in the
 * next piece): CR LF, a bare CR and a bare LF all become one CRLF. Runs of ordinary bytes are
 * copied with one append each.
 */

#include "config.h"

#include <string.h>

#include "heron-smtp-data.h"

void
heron_smtp_data_encoder_init (HeronSmtpDataEncoder *encoder)
{
  g_return_if_fail (encoder != NULL);

  memset (encoder, 0, sizeof *encoder);
  encoder->line_start = TRUE;
}

static inline void
append (HeronSmtpDataEncoder *encoder,
        GByteArray           *out,
        const guint8         *data,
        gsize                 len)
{
  if (len == 0)
    return;
  g_byte_array_append (out, data, len);
  encoder->out_bytes += len;
}

static inline void
end_line (HeronSmtpDataEncoder *encoder,
          GByteArray           *out)
{
  append (encoder, out, (const guint8 *) "\r\n", 2);
  encoder->line_start = TRUE;
}

void
heron_smtp_data_encoder_feed (HeronSmtpDataEncoder *encoder,
                              const guint8         *data,
                              gsize                 len,
                              GByteArray           *out)
{
  gsize i = 0;

  g_return_if_fail (encoder != NULL);
  g_return_if_fail (data != NULL || len == 0);
  g_return_if_fail (out != NULL);

  encoder->in_bytes += len;

  while (i < len)
    {
      gsize run;

      if (encoder->pending_cr)
        {
          encoder->pending_cr = FALSE;
          end_line (encoder, out);
          if (data[i] == '\n')
            {
              i++;
              continue;
            }
        }

      if (data[i] == '\r')
        {
          encoder->pending_cr = TRUE;
          i++;
          continue;
        }
      if (data[i] == '\n')
        {
          end_line (encoder, out);
          i++;
          continue;
        }

      if (encoder->line_start && data[i] == '.')
        append (encoder, out, (const guint8 *) ".", 1);
      encoder->line_start = FALSE;

      /* The rest of the line, up to a line end or the end of the piece. */
      run = i;
      while (run < len && data[run] != '\r' && data[run] != '\n')
        {
          if (data[run] & 0x80)
            encoder->saw_8bit = TRUE;
          run++;
        }
      append (encoder, out, data + i, run - i);
      i = run;
    }
}

void
heron_smtp_data_encoder_finish (HeronSmtpDataEncoder *encoder,
                                GByteArray           *out)
{
  g_return_if_fail (encoder != NULL);
  g_return_if_fail (out != NULL);

  if (encoder->pending_cr)
    {
      encoder->pending_cr = FALSE;
      end_line (encoder, out);
    }
  if (!encoder->line_start)
    end_line (encoder, out);
  append (encoder, out, (const guint8 *) ".\r\n", 3);
}

gboolean
heron_smtp_data_encoder_saw_8bit (const HeronSmtpDataEncoder *encoder)
{
  g_return_val_if_fail (encoder != NULL, FALSE);

  return encoder->saw_8bit;
}

guint64
heron_smtp_data_encoder_get_in (const HeronSmtpDataEncoder *encoder)
{
  g_return_val_if_fail (encoder != NULL, 0);

  return encoder->in_bytes;
}

guint64
heron_smtp_data_encoder_get_out (const HeronSmtpDataEncoder *encoder)
{
  g_return_val_if_fail (encoder != NULL, 0);

  return encoder->out_bytes;
}

void
heron_smtp_data_measure (const guint8 *data,
                         gsize         len,
                         gboolean     *out_8bit,
                         guint64      *out_size)
{
  gboolean eight = FALSE;
  guint64 size = 0;

  g_return_if_fail (data != NULL || len == 0);

  for (gsize i = 0; i < len; i++)
    {
      guint8 c = data[i];

      if (c & 0x80)
        eight = TRUE;
      if (c == '\r')
        {
          size += 2;
          if (i + 1 < len && data[i + 1] == '\n')
            i++;
        }
      else if (c == '\n')
        size += 2;
      else
        size++;
    }

  if (out_8bit != NULL)
    *out_8bit = eight;
  if (out_size != NULL)
    *out_size = size;
}

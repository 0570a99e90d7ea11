/* heron-imap-connection-write.c: the write side of a connection
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One command is the writer at a time; the pump copies its segments into a batch (pieces under
 * HERON_IMAP_WRITE_COALESCE are copied, larger in-memory literals written from their own memory,
 * streamed literals read in chunks) and moves on to the next queued command as soon as the writer
 * is done, unless a barrier says otherwise, so independent commands share one write. A
 * synchronizing literal stops the pump until "+" arrives (route_continuation() in
 * heron-imap-connection-io.c resumes it). Continuation answers (SASL responses, DONE) go at a
 * command boundary, before the next command. With COMPRESS each batch is deflated and
 * sync-flushed, so the server can act on everything written.
 */

#include "config.h"

#include <string.h>

#include "heron-imap-connection-private.h"

static void continue_stream_literal (HeronImapConnection *self);

/* Writing */

void
_heron_imap_connection_enable_compression (HeronImapConnection *self)
{
  self->inflater = G_CONVERTER (g_zlib_decompressor_new (G_ZLIB_COMPRESSOR_FORMAT_RAW));
  self->deflater = G_CONVERTER (g_zlib_compressor_new (G_ZLIB_COMPRESSOR_FORMAT_RAW, -1));
  self->inflate_buffer = g_malloc (HERON_IMAP_READ_CHUNK);
}

/* Deflates data and sync-flushes, so the server can inflate all of it now. */
static GBytes *
deflate_bytes (HeronImapConnection  *self,
               GBytes               *bytes,
               GError              **error)
{
  gsize len;
  const guint8 *data = g_bytes_get_data (bytes, &len);
  GByteArray *out = g_byte_array_sized_new ((guint) (len / 2 + 64));
  guint8 buffer[16 * 1024];
  gsize pos = 0;

  for (;;)
    {
      gsize read = 0, written = 0;
      GConverterResult result;

      result = g_converter_convert (self->deflater, data + pos, len - pos, buffer, sizeof buffer,
                                    G_CONVERTER_FLUSH, &read, &written, error);
      if (result == G_CONVERTER_ERROR)
        {
          g_byte_array_unref (out);
          return NULL;
        }
      if (result == G_CONVERTER_FLUSHED)
        break;

      pos += read;
      g_byte_array_append (out, buffer, (guint) written);
      /* Z_SYNC_FLUSH is complete when it left room in the output. */
      if (pos == len && written < sizeof buffer)
        break;
    }

  return g_byte_array_free_to_bytes (out);
}

static void
on_written (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(HeronImapConnection) self = user_data;
  g_autoptr(GError) error = NULL;
  gboolean ok;

  ok = g_output_stream_write_all_finish (G_OUTPUT_STREAM (source), result, NULL, &error);
  self->write_busy = FALSE;
  g_clear_pointer (&self->pending_output, g_bytes_unref);

  if (self->state == HERON_IMAP_CONNECTION_CLOSED)
    return;

  if (!ok)
    {
      _heron_imap_connection_fail (self, g_error_new (error->domain, error->code,
                                                      "Could not send to %s: %s",
                                                      self->settings.host, error->message));
      return;
    }

  self->last_activity = g_get_monotonic_time ();

  if (self->handshake_waiting)
    {
      _heron_imap_connection_start_handshake (self);
      return;
    }

  if (self->writer != NULL && self->writer->literal_stream != NULL)
    continue_stream_literal (self);
  else
    _heron_imap_connection_pump (self);

  _heron_imap_connection_arm_timer (self);
}

static void
write_bytes (HeronImapConnection *self,
             GBytes              *bytes)
{
  gsize size;
  const guint8 *data;

  if (self->deflater != NULL)
    {
      g_autoptr(GError) error = NULL;
      GBytes *compressed = deflate_bytes (self, bytes, &error);

      g_bytes_unref (bytes);
      if (compressed == NULL)
        {
          _heron_imap_connection_fail (self, g_error_new (HERON_IMAP_ERROR, HERON_IMAP_ERROR_FAILED,
                                                          "Could not compress: %s",
                                                          error->message));
          return;
        }
      bytes = compressed;
    }

  self->pending_output = bytes;
  self->write_busy = TRUE;
  data = g_bytes_get_data (bytes, &size);
  g_output_stream_write_all_async (self->output, data, size, G_PRIORITY_DEFAULT,
                                   self->cancellable, on_written, g_object_ref (self));
}

static void
on_literal_read (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(HeronImapConnection) self = user_data;
  g_autoptr(GError) error = NULL;
  GBytes *bytes;
  Cmd *cmd;

  bytes = g_input_stream_read_bytes_finish (G_INPUT_STREAM (source), result, &error);
  self->write_busy = FALSE;

  if (self->state == HERON_IMAP_CONNECTION_CLOSED)
    {
      g_clear_pointer (&bytes, g_bytes_unref);
      return;
    }

  cmd = self->writer;
  g_assert (cmd != NULL && cmd->literal_stream != NULL);

  if (bytes == NULL || g_bytes_get_size (bytes) == 0)
    {
      /* The server waits for the promised octets: the only way out is to drop the
       * connection. */
      if (bytes != NULL)
        g_bytes_unref (bytes);
      _heron_imap_connection_fail (self, g_error_new (G_IO_ERROR, G_IO_ERROR_PARTIAL_INPUT,
                                                      "The data to send for %s ended %s%s",
                                                      _heron_imap_cmd_name (cmd),
                                                      error != NULL ? "with an error: " :
                                                      "early",
                                                      error != NULL ? error->message : ""));
      return;
    }

  cmd->literal_left -= MIN (cmd->literal_left, g_bytes_get_size (bytes));
  write_bytes (self, bytes);
}

static void
continue_stream_literal (HeronImapConnection *self)
{
  Cmd *cmd = self->writer;

  if (cmd->literal_left == 0)
    {
      g_clear_object (&cmd->literal_stream);
      cmd->segment++;
      _heron_imap_connection_pump (self);
      return;
    }

  self->write_busy = TRUE;
  g_input_stream_read_bytes_async (cmd->literal_stream,
                                   (gsize) MIN (cmd->literal_left, HERON_IMAP_READ_CHUNK),
                                   G_PRIORITY_DEFAULT, self->cancellable, on_literal_read,
                                   g_object_ref (self));
}

static gboolean
can_start (HeronImapConnection *self,
           Cmd                 *cmd)
{
  if (self->state != HERON_IMAP_CONNECTION_CONNECTED && cmd->kind == CMD_KIND_USER)
    return FALSE;
  if (self->switch_kind != CMD_KIND_USER)
    return FALSE;
  if (self->n_barriers > 0)
    return FALSE;
  if ((cmd->flags & HERON_IMAP_SEND_BARRIER) && !g_queue_is_empty (&self->inflight))
    return FALSE;
  return TRUE;
}

static gboolean
start_cmd (HeronImapConnection *self,
           Cmd                 *cmd)
{
  g_autoptr(GError) error = NULL;

  heron_imap_command_assign_tag (cmd->command, self->tags);
  cmd->segments = heron_imap_command_get_segments (cmd->command,
                                                   heron_imap_connection_get_literal_mode (self),
                                                   &error);
  if (cmd->segments == NULL)
    {
      /* Not in the queue any more, not in flight yet. */
      cmd->state = CMD_SENT;
      g_queue_push_tail_link (&self->inflight, &cmd->link);
      g_hash_table_insert (self->by_tag, (gpointer) heron_imap_command_get_tag (cmd->command), cmd);
      if (cmd->flags & HERON_IMAP_SEND_BARRIER)
        self->n_barriers++;
      _heron_imap_connection_complete (self, cmd, NULL, g_steal_pointer (&error));
      return FALSE;
    }

  cmd->state = CMD_WRITING;
  self->writer = cmd;
  g_queue_push_tail_link (&self->inflight, &cmd->link);
  g_hash_table_insert (self->by_tag, (gpointer) heron_imap_command_get_tag (cmd->command), cmd);
  if (cmd->flags & HERON_IMAP_SEND_BARRIER)
    self->n_barriers++;
  if (cmd->kind == CMD_KIND_STARTTLS || cmd->kind == CMD_KIND_COMPRESS)
    self->switch_kind = cmd->kind;

  if (self->debug)
    {
      g_autofree char *log = heron_imap_command_to_log_string (cmd->command);

      g_debug ("C: %s", log);
    }

  return TRUE;
}

/* The writer handed its last segment to the stream. */
static void
finish_writing (HeronImapConnection *self,
                Cmd                 *cmd)
{
  HeronImapResponse *early = g_steal_pointer (&cmd->early);

  cmd->state = CMD_SENT;
  self->writer = NULL;

  if (early != NULL)
    {
      if (self->switch_kind != CMD_KIND_USER && cmd->kind == self->switch_kind &&
          early->status.condition == HERON_IMAP_CONDITION_OK)
        self->switch_now = TRUE;
      _heron_imap_connection_complete (self, cmd, early, NULL);
      heron_imap_response_unref (early);
    }
}

void
_heron_imap_connection_pump (HeronImapConnection *self)
{
  g_autoptr(GByteArray) batch = NULL;
  GBytes *whole = NULL;

  if (self->in_pump)
    {
      /* A command completed from inside the pump: the loop below picks up what it allows. */
      self->write_scheduled = TRUE;
      return;
    }

  self->write_scheduled = FALSE;

  if (self->write_busy || self->state == HERON_IMAP_CONNECTION_CLOSED || self->output == NULL)
    return;

  g_object_ref (self);
  self->in_pump = TRUE;
  batch = g_byte_array_new ();

  while (self->state != HERON_IMAP_CONNECTION_CLOSED)
    {
      const HeronImapSegment *segment;
      Cmd *cmd;
      gsize size;

      /* Continuation answers go at a command boundary. */
      if (self->writer == NULL || self->writer->waiting)
        while (!g_queue_is_empty (&self->lines))
          {
            g_autoptr(GBytes) line = g_queue_pop_head (&self->lines);
            const guint8 *data = g_bytes_get_data (line, &size);

            g_byte_array_append (batch, data, (guint) size);
          }

      if (self->writer == NULL)
        {
          Cmd *next = g_queue_peek_head (&self->queue);

          if (next == NULL || !can_start (self, next))
            break;
          if (next->cancellable != NULL && g_cancellable_is_cancelled (next->cancellable))
            {
              /* Cancelled in another thread, or before its source ran: never sent. */
              _heron_imap_connection_complete (self, next, NULL,
                                               g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                                                    "The command was cancelled"));
              continue;
            }
          g_queue_unlink (&self->queue, &next->link);
          if (!start_cmd (self, next))
            continue;
        }

      cmd = self->writer;
      if (cmd->waiting)
        break;

      if (cmd->segment >= cmd->segments->len)
        {
          finish_writing (self, cmd);
          continue;
        }

      segment = g_ptr_array_index (cmd->segments, cmd->segment);

      if (segment->kind == HERON_IMAP_SEGMENT_WAIT_CONTINUATION)
        {
          if (cmd->early != NULL)
            {
              /* Already answered: the rest is never sent. */
              cmd->segment = cmd->segments->len;
              continue;
            }
          cmd->waiting = TRUE;
          break;
        }

      if (segment->kind == HERON_IMAP_SEGMENT_LITERAL && segment->stream != NULL)
        {
          if (batch->len > 0)
            break;
          cmd->literal_stream = g_object_ref (segment->stream);
          cmd->literal_left = segment->size;
          if (cmd->literal_left > 0)
            {
              self->in_pump = FALSE;
              continue_stream_literal (self);
              g_object_unref (self);
              return;
            }
          g_clear_object (&cmd->literal_stream);
          cmd->segment++;
          continue;
        }

      size = segment->bytes != NULL ? g_bytes_get_size (segment->bytes) : 0;
      if (size >= HERON_IMAP_WRITE_COALESCE)
        {
          if (batch->len > 0)
            break;
          whole = g_bytes_ref (segment->bytes);
          cmd->segment++;
          break;
        }

      if (size > 0)
        g_byte_array_append (batch, g_bytes_get_data (segment->bytes, NULL), (guint) size);
      cmd->segment++;

      if (batch->len >= HERON_IMAP_READ_BUDGET)
        break;
    }

  self->in_pump = FALSE;
  self->write_scheduled = FALSE;

  if (self->state != HERON_IMAP_CONNECTION_CLOSED)
    {
      if (whole != NULL)
        write_bytes (self, whole);
      else if (batch->len > 0)
        write_bytes (self, g_byte_array_free_to_bytes (g_steal_pointer (&batch)));
    }
  else if (whole != NULL)
    g_bytes_unref (whole);

  g_object_unref (self);
}

void
_heron_imap_connection_schedule_write (HeronImapConnection *self)
{
  if (self->in_feed > 0 || self->write_busy || self->in_pump)
    {
      self->write_scheduled = TRUE;
      return;
    }
  _heron_imap_connection_pump (self);
}


/* smtp-test-helpers.h: what the SMTP tests share: running the client on the test's main context,
 * a message generated as it is read, and the process's memory.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "smtp/heron-smtp-client.h"

G_BEGIN_DECLS

#define SMTP_TEST_WAIT_MS 60000

/* Runs the main context until *flag is set; fails the test after SMTP_TEST_WAIT_MS. */
void                 smtp_test_run_until      (gboolean            *flag);

/* The send / check, run to its end on the test's main context. */
HeronSmtpSendResult *smtp_test_send_bytes     (HeronSmtpClient     *client,
                                               const char          *from,
                                               const char * const  *recipients,
                                               GBytes              *message,
                                               GCancellable        *cancellable,
                                               GError             **error);
HeronSmtpSendResult *smtp_test_send_stream    (HeronSmtpClient     *client,
                                               const char          *from,
                                               const char * const  *recipients,
                                               GInputStream        *message,
                                               goffset              size,
                                               HeronSmtpBody        body,
                                               GCancellable        *cancellable,
                                               GError             **error);
GStrv                smtp_test_check          (HeronSmtpClient     *client,
                                               GError             **error);

/* The memory the process uses, in KiB: its resident set, or under AddressSanitizer the bytes
 * allocated and not freed (freed memory sits in ASan's quarantine and stays resident, so the
 * resident set there says nothing about what the code holds). */
gsize                smtp_test_memory_kib        (void);

/* A message generated as it is read, never held: headers (with message_id), a blank line,
 * then body lines until the message is `size` bytes long. Line n of the body is
 * smtp_test_generated_line (n) followed by CRLF; every 50th line starts with ".". The stream
 * records the most memory in use (smtp_test_memory_kib()) seen while it was read (every MiB). */
#define SMTP_TEST_TYPE_GENERATOR (smtp_test_generator_get_type ())
G_DECLARE_FINAL_TYPE (SmtpTestGenerator, smtp_test_generator, SMTP_TEST, GENERATOR, GInputStream)

SmtpTestGenerator   *smtp_test_generator_new        (const char        *message_id,
                                                     guint64            size);
/* The header part and the exact body: for comparing what was delivered (LF line ends when
 * lf is TRUE, CRLF otherwise). */
char                *smtp_test_generator_dup_headers (SmtpTestGenerator *self);
/* SHA-256 of the body as delivered (line ends as chosen). */
char                *smtp_test_generator_dup_body_checksum (SmtpTestGenerator *self,
                                                            gboolean           lf);
gsize                smtp_test_generator_get_max_memory_kib (SmtpTestGenerator *self);
guint64              smtp_test_generator_get_size  (SmtpTestGenerator *self);

G_END_DECLS

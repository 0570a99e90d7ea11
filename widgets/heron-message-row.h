/* heron-message-row.h: one row of the message list
 *
 * Copyright 2026 The Heron developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "heron-backend.h"

G_BEGIN_DECLS

#define HERON_TYPE_MESSAGE_ROW (heron_message_row_get_type ())

G_DECLARE_FINAL_TYPE (HeronMessageRow, heron_message_row, HERON, MESSAGE_ROW, GtkWidget)

GtkWidget    *heron_message_row_new         (void);
/* Shows @message (nullable) and follows its changes (flags set here or on another device). */
void          heron_message_row_set_message (HeronMessageRow *self,
                                             HeronMessage    *message);
HeronMessage *heron_message_row_get_message (HeronMessageRow *self);

/* The date as the list shows it: the time for today, the day and month this year, else the
 * whole date. */
char         *heron_message_row_format_date (GDateTime       *date,
                                             GDateTime       *now);

G_END_DECLS

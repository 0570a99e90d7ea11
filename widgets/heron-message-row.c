/* heron-message-row.c: one row of the message list: sender, subject, snippet, date and marks
 *
 * Copyright 2026 The Heron developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "heron-message-row.h"

struct _HeronMessageRow
{
  GtkWidget     parent_instance;

  HeronMessage *message;
  gulong        notify_id;

  /* Template children */
  GtkWidget    *box;
  GtkImage     *unread_dot;
  GtkLabel     *sender_label;
  GtkImage     *answered_icon;
  GtkImage     *attachment_icon;
  GtkImage     *flagged_icon;
  GtkLabel     *count_label;
  GtkLabel     *date_label;
  GtkLabel     *subject_label;
  GtkLabel     *snippet_label;
};

G_DEFINE_FINAL_TYPE (HeronMessageRow, heron_message_row, GTK_TYPE_WIDGET)

GtkWidget *
heron_message_row_new (void)
{
  return g_object_new (HERON_TYPE_MESSAGE_ROW, NULL);
}

char *
heron_message_row_format_date (GDateTime *date,
                               GDateTime *now)
{
  g_return_val_if_fail (now != NULL, NULL);

  if (date == NULL)
    return g_strdup ("");

  if (g_date_time_get_year (date) == g_date_time_get_year (now) &&
      g_date_time_get_day_of_year (date) == g_date_time_get_day_of_year (now))
    /* Translators: the time of a message received today, see g_date_time_format() */
    return g_date_time_format (date, _("%H:%M"));
  if (g_date_time_get_year (date) == g_date_time_get_year (now))
    /* Translators: the day of a message received this year, see g_date_time_format() */
    return g_date_time_format (date, _("%e %b"));
  /* Translators: the date of a message of an earlier year, see g_date_time_format() */
  return g_date_time_format (date, _("%x"));
}

static void
set_bold (GtkLabel *label,
          gboolean  bold)
{
  PangoAttrList *attrs = NULL;

  if (bold)
    {
      attrs = pango_attr_list_new ();
      pango_attr_list_insert (attrs, pango_attr_weight_new (PANGO_WEIGHT_BOLD));
    }
  gtk_label_set_attributes (label, attrs);
  g_clear_pointer (&attrs, pango_attr_list_unref);
}

static char *
count_description (HeronMessage *message)
{
  guint size = heron_message_get_conversation_size (message);

  /* Translators: the tooltip of the number of messages of a conversation in the list */
  return g_strdup_printf (ngettext ("%u message, %u unread", "%u messages, %u unread", size),
                          size, heron_message_get_conversation_unread (message));
}

/* Tooltips are made when asked for: setting one on every bind of a row cost a round trip to
 * the display server each time (most of a list refresh's time at start). */
static gboolean
on_query_sender_tooltip (GtkWidget  *widget,
                         int         x,
                         int         y,
                         gboolean    keyboard,
                         GtkTooltip *tooltip,
                         gpointer    user_data)
{
  HeronMessageRow *self = user_data;
  const char *address;

  if (self->message == NULL)
    return FALSE;
  address = heron_message_get_sender_address (self->message);
  if (address == NULL || *address == '\0')
    return FALSE;
  gtk_tooltip_set_text (tooltip, address);
  return TRUE;
}

static gboolean
on_query_count_tooltip (GtkWidget  *widget,
                        int         x,
                        int         y,
                        gboolean    keyboard,
                        GtkTooltip *tooltip,
                        gpointer    user_data)
{
  HeronMessageRow *self = user_data;
  g_autofree char *description = NULL;

  if (self->message == NULL || heron_message_get_conversation_size (self->message) < 2)
    return FALSE;
  description = count_description (self->message);
  gtk_tooltip_set_text (tooltip, description);
  return TRUE;
}

static void
heron_message_row_refresh (HeronMessageRow *self)
{
  HeronMessage *message = self->message;
  g_autoptr(GDateTime) now = NULL;
  g_autofree char *date = NULL;
  const char *subject;
  const char *snippet;
  gboolean unread;
  guint size;

  if (message == NULL)
    {
      gtk_label_set_text (self->sender_label, "");
      gtk_label_set_text (self->subject_label, "");
      gtk_label_set_text (self->snippet_label, "");
      gtk_label_set_text (self->date_label, "");
      gtk_widget_set_visible (GTK_WIDGET (self->answered_icon), FALSE);
      gtk_widget_set_visible (GTK_WIDGET (self->attachment_icon), FALSE);
      gtk_widget_set_visible (GTK_WIDGET (self->flagged_icon), FALSE);
      gtk_widget_set_visible (GTK_WIDGET (self->count_label), FALSE);
      gtk_widget_set_opacity (GTK_WIDGET (self->unread_dot), 0);
      return;
    }

  /* the item of a conversation (threaded list): unread when any of its messages is, and how
   * many it has when more than one */
  size = heron_message_get_conversation_size (message);
  unread = size > 0 ? heron_message_get_conversation_unread (message) > 0 : !heron_message_get_seen (message);
  if (size > 1)
    {
      g_autofree char *count = g_strdup_printf ("%u", size);
      g_autofree char *description = count_description (message);

      gtk_label_set_text (self->count_label, count);
      gtk_accessible_update_property (GTK_ACCESSIBLE (self->count_label),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, description, -1);
    }
  gtk_widget_set_visible (GTK_WIDGET (self->count_label), size > 1);
  now = g_date_time_new_now_local ();
  date = heron_message_row_format_date (heron_message_get_date (message), now);
  subject = heron_message_get_subject (message);
  snippet = heron_message_get_snippet (message);

  gtk_label_set_text (self->sender_label, heron_message_get_sender_display (message));
  gtk_label_set_text (self->subject_label,
                      subject != NULL && *subject != '\0' ? subject : _("(No Subject)"));
  gtk_label_set_text (self->snippet_label, snippet != NULL ? snippet : "");
  gtk_widget_set_visible (GTK_WIDGET (self->snippet_label), snippet != NULL && *snippet != '\0');
  gtk_label_set_text (self->date_label, date);
  set_bold (self->sender_label, unread);
  set_bold (self->subject_label, unread);
  gtk_widget_set_opacity (GTK_WIDGET (self->unread_dot), unread ? 1 : 0);
  gtk_widget_set_visible (GTK_WIDGET (self->answered_icon), heron_message_get_answered (message));
  gtk_widget_set_visible (GTK_WIDGET (self->attachment_icon),
                          heron_message_get_has_attachment (message));
  gtk_widget_set_visible (GTK_WIDGET (self->flagged_icon), heron_message_get_flagged (message));
}

static void
on_message_notify (HeronMessageRow *self)
{
  heron_message_row_refresh (self);
}

void
heron_message_row_set_message (HeronMessageRow *self,
                               HeronMessage    *message)
{
  g_return_if_fail (HERON_IS_MESSAGE_ROW (self));
  g_return_if_fail (message == NULL || HERON_IS_MESSAGE (message));

  if (self->message == message)
    return;

  if (self->message != NULL)
    g_clear_signal_handler (&self->notify_id, self->message);
  g_set_object (&self->message, message);
  if (message != NULL)
    self->notify_id = g_signal_connect_object (message, "notify",
                                               G_CALLBACK (on_message_notify), self,
                                               G_CONNECT_SWAPPED);
  heron_message_row_refresh (self);
}

HeronMessage *
heron_message_row_get_message (HeronMessageRow *self)
{
  g_return_val_if_fail (HERON_IS_MESSAGE_ROW (self), NULL);

  return self->message;
}

static void
heron_message_row_dispose (GObject *object)
{
  HeronMessageRow *self = HERON_MESSAGE_ROW (object);

  if (self->message != NULL)
    g_clear_signal_handler (&self->notify_id, self->message);
  g_clear_object (&self->message);
  gtk_widget_dispose_template (GTK_WIDGET (object), HERON_TYPE_MESSAGE_ROW);

  G_OBJECT_CLASS (heron_message_row_parent_class)->dispose (object);
}

static void
heron_message_row_class_init (HeronMessageRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = heron_message_row_dispose;

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/heronmail/Heron/widgets/heron-message-row.ui");
  gtk_widget_class_bind_template_child (widget_class, HeronMessageRow, box);
  gtk_widget_class_bind_template_child (widget_class, HeronMessageRow, unread_dot);
  gtk_widget_class_bind_template_child (widget_class, HeronMessageRow, sender_label);
  gtk_widget_class_bind_template_child (widget_class, HeronMessageRow, answered_icon);
  gtk_widget_class_bind_template_child (widget_class, HeronMessageRow, attachment_icon);
  gtk_widget_class_bind_template_child (widget_class, HeronMessageRow, flagged_icon);
  gtk_widget_class_bind_template_child (widget_class, HeronMessageRow, count_label);
  gtk_widget_class_bind_template_child (widget_class, HeronMessageRow, date_label);
  gtk_widget_class_bind_template_child (widget_class, HeronMessageRow, subject_label);
  gtk_widget_class_bind_template_child (widget_class, HeronMessageRow, snippet_label);
}

static void
heron_message_row_init (HeronMessageRow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  gtk_widget_set_has_tooltip (GTK_WIDGET (self->sender_label), TRUE);
  g_signal_connect_object (self->sender_label, "query-tooltip", G_CALLBACK (on_query_sender_tooltip),
                           self, 0);
  gtk_widget_set_has_tooltip (GTK_WIDGET (self->count_label), TRUE);
  g_signal_connect_object (self->count_label, "query-tooltip", G_CALLBACK (on_query_count_tooltip),
                           self, 0);
}

/* heron-address-entry.c: a recipients entry with completion from the cache
 *
 * Copyright 2026 The Heron developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A GtkEntry and a popover below it. The popover does not take the focus (autohide off), so
 * the person keeps typing in the entry; a key controller in the capture phase moves through the
 * list while it is open. The completions come from the account's cache, synchronously: a small
 * indexed query (heron_account_complete_address()).
 */
#include "config.h"

#include <glib/gi18n.h>

#include "heron-address-entry.h"

#define MAX_COMPLETIONS 8

struct _HeronAddressEntry
{
  GtkWidget     parent_instance;

  HeronAccount *account;
  /* Set while the entry's text is changed here, so that no completion follows. */
  gboolean      updating;

  /* Template children */
  GtkEntry     *entry;
  GtkPopover   *popover;
  GtkListBox   *list;
};

G_DEFINE_FINAL_TYPE (HeronAddressEntry, heron_address_entry, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_ACCOUNT,
  PROP_TEXT,
  PROP_LABEL,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  SIGNAL_CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

GtkWidget *
heron_address_entry_new (void)
{
  return g_object_new (HERON_TYPE_ADDRESS_ENTRY, NULL);
}

HeronAccount *
heron_address_entry_get_account (HeronAddressEntry *self)
{
  g_return_val_if_fail (HERON_IS_ADDRESS_ENTRY (self), NULL);

  return self->account;
}

void
heron_address_entry_set_account (HeronAddressEntry *self,
                                 HeronAccount      *account)
{
  g_return_if_fail (HERON_IS_ADDRESS_ENTRY (self));
  g_return_if_fail (account == NULL || HERON_IS_ACCOUNT (account));

  if (g_set_object (&self->account, account))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ACCOUNT]);
}

const char *
heron_address_entry_get_text (HeronAddressEntry *self)
{
  g_return_val_if_fail (HERON_IS_ADDRESS_ENTRY (self), NULL);

  return gtk_editable_get_text (GTK_EDITABLE (self->entry));
}

void
heron_address_entry_set_text (HeronAddressEntry *self,
                              const char        *text)
{
  g_return_if_fail (HERON_IS_ADDRESS_ENTRY (self));

  self->updating = TRUE;
  gtk_editable_set_text (GTK_EDITABLE (self->entry), text != NULL ? text : "");
  self->updating = FALSE;
  gtk_popover_popdown (self->popover);
}

void
heron_address_entry_set_addresses (HeronAddressEntry *self,
                                   GPtrArray         *addresses)
{
  g_autoptr(GString) text = g_string_new (NULL);

  g_return_if_fail (HERON_IS_ADDRESS_ENTRY (self));

  for (guint i = 0; addresses != NULL && i < addresses->len; i++)
    {
      g_autofree char *one = heron_mime_address_to_string (g_ptr_array_index (addresses, i));

      if (text->len > 0)
        g_string_append (text, ", ");
      g_string_append (text, one);
    }
  heron_address_entry_set_text (self, text->str);
}

/* The parts between the commas that separate addresses (heron_mime_address_list_split()),
 * trimmed, the empty ones left out, so each part can be named in an error. */
static GPtrArray *
split_parts (const char *text)
{
  g_autoptr(GArray) spans = heron_mime_address_list_split (text);
  GPtrArray *parts = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < spans->len; i++)
    {
      const HeronMimeAddressSpan *span = &g_array_index (spans, HeronMimeAddressSpan, i);
      char *part = g_strstrip (g_strndup (text + span->start, span->end - span->start));

      if (*part != '\0')
        g_ptr_array_add (parts, part);
      else
        g_free (part);
    }
  return parts;
}

GPtrArray *
heron_address_entry_dup_addresses (HeronAddressEntry  *self,
                                   GError            **error)
{
  g_autoptr(GPtrArray) parts = NULL;
  g_autoptr(GPtrArray) addresses = NULL;

  g_return_val_if_fail (HERON_IS_ADDRESS_ENTRY (self), NULL);

  parts = split_parts (gtk_editable_get_text (GTK_EDITABLE (self->entry)));
  addresses = g_ptr_array_new_with_free_func ((GDestroyNotify) heron_mime_address_free);
  for (guint i = 0; i < parts->len; i++)
    {
      const char *part = g_ptr_array_index (parts, i);
      g_autoptr(GPtrArray) parsed = heron_mime_address_list_parse (part, -1);
      HeronMimeAddress *address = parsed != NULL && parsed->len == 1 ? g_ptr_array_index (parsed, 0) : NULL;

      if (address == NULL || !heron_account_address_is_valid (address->address))
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                       /* Translators: %s is what the person typed as a recipient */
                       _("“%s” is not an email address"), part);
          return NULL;
        }
      g_ptr_array_add (addresses, heron_mime_address_copy (address));
    }
  return g_steal_pointer (&addresses);
}

gboolean
heron_address_entry_get_completion_shown (HeronAddressEntry *self)
{
  g_return_val_if_fail (HERON_IS_ADDRESS_ENTRY (self), FALSE);

  return gtk_widget_get_visible (GTK_WIDGET (self->popover));
}

/* Where the part being typed starts: the last part of heron_mime_address_list_split(), so that
 * completion and heron_address_entry_dup_addresses() see the same parts. */
static int
current_part_start (const char *text)
{
  g_autoptr(GArray) spans = heron_mime_address_list_split (text);

  return (int) g_array_index (spans, HeronMimeAddressSpan, spans->len - 1).start;
}

static void
accept_completion (HeronAddressEntry *self,
                   GtkListBoxRow     *row)
{
  const char *completion = g_object_get_data (G_OBJECT (row), "heron-completion");
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->entry));
  int start = current_part_start (text);
  g_autoptr(GString) result = g_string_new_len (text, start);

  g_strchomp (result->str);
  result->len = strlen (result->str);
  if (result->len > 0)
    g_string_append_c (result, ' ');
  g_string_append (result, completion);
  g_string_append (result, ", ");

  self->updating = TRUE;
  gtk_editable_set_text (GTK_EDITABLE (self->entry), result->str);
  gtk_editable_set_position (GTK_EDITABLE (self->entry), -1);
  self->updating = FALSE;
  gtk_popover_popdown (self->popover);
}

/* Completion follows typing, not text set by the program: only while the entry has the focus
 * of its window (whether or not the window is active). The entry's focus is on its GtkText. */
static gboolean
entry_has_focus (HeronAddressEntry *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  GtkWidget *focus = root != NULL ? gtk_root_get_focus (root) : NULL;

  return focus != NULL
         && (focus == GTK_WIDGET (self->entry) || gtk_widget_is_ancestor (focus, GTK_WIDGET (self->entry)));
}

static void
update_completions (HeronAddressEntry *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->entry));
  g_autofree char *prefix = g_strstrip (g_strdup (text + current_part_start (text)));
  g_autoptr(GPtrArray) found = NULL;
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->list))) != NULL)
    gtk_list_box_remove (self->list, child);

  if (self->account != NULL && *prefix != '\0' && entry_has_focus (self))
    found = heron_account_complete_address (self->account, prefix, MAX_COMPLETIONS);

  if (found == NULL || found->len == 0)
    {
      gtk_popover_popdown (self->popover);
      return;
    }

  for (guint i = 0; i < found->len; i++)
    {
      const char *completion = g_ptr_array_index (found, i);
      GtkWidget *label = gtk_label_new (completion);
      GtkWidget *row = gtk_list_box_row_new ();

      gtk_label_set_xalign (GTK_LABEL (label), 0.0);
      gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
      gtk_widget_set_margin_start (label, 6);
      gtk_widget_set_margin_end (label, 6);
      gtk_widget_set_margin_top (label, 3);
      gtk_widget_set_margin_bottom (label, 3);
      gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), label);
      gtk_widget_set_can_focus (row, FALSE);
      g_object_set_data_full (G_OBJECT (row), "heron-completion", g_strdup (completion), g_free);
      gtk_list_box_append (self->list, row);
    }
  gtk_list_box_select_row (self->list, gtk_list_box_get_row_at_index (self->list, 0));
  gtk_popover_popup (self->popover);
}

static void
entry_changed (GtkEditable       *editable,
               HeronAddressEntry *self)
{
  if (!self->updating)
    update_completions (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TEXT]);
  g_signal_emit (self, signals[SIGNAL_CHANGED], 0);
}

static void
row_activated (GtkListBox        *list,
               GtkListBoxRow     *row,
               HeronAddressEntry *self)
{
  accept_completion (self, row);
}

static gboolean
key_pressed (GtkEventControllerKey *controller,
             guint                  keyval,
             guint                  keycode,
             GdkModifierType        state,
             HeronAddressEntry     *self)
{
  GtkListBoxRow *selected;
  int index;

  if (!gtk_widget_get_visible (GTK_WIDGET (self->popover)))
    return FALSE;

  selected = gtk_list_box_get_selected_row (self->list);
  index = selected != NULL ? gtk_list_box_row_get_index (selected) : -1;

  switch (keyval)
    {
    case GDK_KEY_Down:
    case GDK_KEY_KP_Down:
      {
        GtkListBoxRow *next = gtk_list_box_get_row_at_index (self->list, index + 1);

        if (next != NULL)
          gtk_list_box_select_row (self->list, next);
        return TRUE;
      }
    case GDK_KEY_Up:
    case GDK_KEY_KP_Up:
      if (index > 0)
        gtk_list_box_select_row (self->list, gtk_list_box_get_row_at_index (self->list, index - 1));
      return TRUE;
    case GDK_KEY_Return:
    case GDK_KEY_KP_Enter:
    case GDK_KEY_ISO_Enter:
    case GDK_KEY_Tab:
      if (selected == NULL)
        return FALSE;
      accept_completion (self, selected);
      return TRUE;
    case GDK_KEY_Escape:
      gtk_popover_popdown (self->popover);
      return TRUE;
    default:
      return FALSE;
    }
}

static void
focus_left (GtkEventControllerFocus *controller,
            HeronAddressEntry       *self)
{
  gtk_popover_popdown (self->popover);
}

static gboolean
heron_address_entry_grab_focus (GtkWidget *widget)
{
  HeronAddressEntry *self = HERON_ADDRESS_ENTRY (widget);

  return gtk_widget_grab_focus (GTK_WIDGET (self->entry));
}

static void
heron_address_entry_size_allocate (GtkWidget *widget,
                                   int        width,
                                   int        height,
                                   int        baseline)
{
  HeronAddressEntry *self = HERON_ADDRESS_ENTRY (widget);

  GTK_WIDGET_CLASS (heron_address_entry_parent_class)->size_allocate (widget, width, height, baseline);
  gtk_widget_set_size_request (GTK_WIDGET (self->list), width, -1);
  gtk_popover_present (self->popover);
}

static void
heron_address_entry_get_property (GObject    *object,
                                  guint       prop_id,
                                  GValue     *value,
                                  GParamSpec *pspec)
{
  HeronAddressEntry *self = HERON_ADDRESS_ENTRY (object);

  switch (prop_id)
    {
    case PROP_ACCOUNT:
      g_value_set_object (value, self->account);
      break;
    case PROP_TEXT:
      g_value_set_string (value, heron_address_entry_get_text (self));
      break;
    case PROP_LABEL:
      g_value_set_string (value, g_object_get_data (G_OBJECT (self), "heron-label"));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
heron_address_entry_set_property (GObject      *object,
                                  guint         prop_id,
                                  const GValue *value,
                                  GParamSpec   *pspec)
{
  HeronAddressEntry *self = HERON_ADDRESS_ENTRY (object);

  switch (prop_id)
    {
    case PROP_ACCOUNT:
      heron_address_entry_set_account (self, g_value_get_object (value));
      break;
    case PROP_TEXT:
      heron_address_entry_set_text (self, g_value_get_string (value));
      break;
    case PROP_LABEL:
      g_object_set_data_full (G_OBJECT (self), "heron-label", g_value_dup_string (value), g_free);
      gtk_accessible_update_property (GTK_ACCESSIBLE (self->entry),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, g_value_get_string (value),
                                      -1);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
heron_address_entry_dispose (GObject *object)
{
  HeronAddressEntry *self = HERON_ADDRESS_ENTRY (object);

  g_clear_object (&self->account);
  gtk_widget_dispose_template (GTK_WIDGET (object), HERON_TYPE_ADDRESS_ENTRY);

  G_OBJECT_CLASS (heron_address_entry_parent_class)->dispose (object);
}

static void
heron_address_entry_class_init (HeronAddressEntryClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->get_property = heron_address_entry_get_property;
  object_class->set_property = heron_address_entry_set_property;
  object_class->dispose = heron_address_entry_dispose;
  widget_class->grab_focus = heron_address_entry_grab_focus;
  widget_class->size_allocate = heron_address_entry_size_allocate;

  properties[PROP_ACCOUNT] =
    g_param_spec_object ("account", NULL, NULL, HERON_TYPE_ACCOUNT,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_TEXT] =
    g_param_spec_string ("text", NULL, NULL, "",
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_LABEL] =
    g_param_spec_string ("label", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[SIGNAL_CHANGED] =
    g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/heronmail/Heron/widgets/heron-address-entry.ui");
  gtk_widget_class_bind_template_child (widget_class, HeronAddressEntry, entry);
  gtk_widget_class_bind_template_child (widget_class, HeronAddressEntry, popover);
  gtk_widget_class_bind_template_child (widget_class, HeronAddressEntry, list);
  gtk_widget_class_bind_template_callback (widget_class, entry_changed);
  gtk_widget_class_bind_template_callback (widget_class, row_activated);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
}

static void
heron_address_entry_init (HeronAddressEntry *self)
{
  GtkEventController *controller;

  gtk_widget_init_template (GTK_WIDGET (self));

  controller = gtk_event_controller_key_new ();
  gtk_event_controller_set_propagation_phase (controller, GTK_PHASE_CAPTURE);
  g_signal_connect (controller, "key-pressed", G_CALLBACK (key_pressed), self);
  gtk_widget_add_controller (GTK_WIDGET (self->entry), controller);

  controller = gtk_event_controller_focus_new ();
  g_signal_connect (controller, "leave", G_CALLBACK (focus_left), self);
  gtk_widget_add_controller (GTK_WIDGET (self->entry), controller);
}

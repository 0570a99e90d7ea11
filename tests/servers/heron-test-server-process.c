/* heron-test-server-process.c: processes of the test servers, the guardian that cleans up after
 * a dead test, ports, files.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "heron-test-server-private.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <unistd.h>

#include <glib/gstdio.h>

/* The guardian is a shell reading a socket whose other end only the owning process holds (it is
 * close-on-exec, so no server inherits it). "+PGID" registers a server's process group, "-PGID"
 * forgets it, "exit" means the owner cleaned up by itself. End of file without "exit" means the
 * owner died in some way: kill the groups, wait until they are gone, remove the directory. It
 * runs in its own session so that a signal to the test's process group (meson's timeout, ^C)
 * does not take it down too. */
static const char guardian_script[] =
  "dir=$1\n"
  "keep=$2\n"
  "groups=\n"
  "while IFS= read -r line; do\n"
  "  case $line in\n"
  "    +*) groups=\"$groups ${line#+}\" ;;\n"
  "    -*) rest=\n"
  "        for g in $groups; do [ \"$g\" = \"${line#-}\" ] || rest=\"$rest $g\"; done\n"
  "        groups=$rest ;;\n"
  "    exit) exit 0 ;;\n"
  "  esac\n"
  "done\n"
  "for g in $groups; do kill -KILL -\"$g\" 2>/dev/null; done\n"
  "# Wait (up to 2 s) until no process of those groups runs; zombies do not count, their reaper\n"
  "# may be slow. /proc/PID/stat is \"pid (comm) state ppid pgrp ...\".\n"
  "i=0\n"
  "while [ $i -lt 40 ]; do\n"
  "  alive=\n"
  "  for f in /proc/[0-9]*/stat; do\n"
  "    { read -r line < \"$f\"; } 2>/dev/null || continue\n"
  "    set -- ${line##*) }\n"
  "    case $1 in Z|X) continue ;; esac\n"
  "    for g in $groups; do [ \"$3\" = \"$g\" ] && alive=1; done\n"
  "  done\n"
  "  [ -z \"$alive\" ] && break\n"
  "  sleep 0.05\n"
  "  i=$((i+1))\n"
  "done\n"
  "[ \"$keep\" = 1 ] || rm -rf -- \"$dir\"\n";

#define PGID_KEY "heron-test-server-pgid"

static void
guardian_child_setup (gpointer user_data)
{
  /* Runs in the child between fork and exec: async-signal-safe calls only. */
  setsid ();
}

static void
guardian_send (HeronTestServer *self,
               const char      *line)
{
  gsize len = strlen (line);

  if (self->guardian_fd < 0)
    return;
  while (len > 0)
    {
      /* A socket rather than a pipe: if the guardian is gone, this fails instead of raising
       * SIGPIPE in the test. */
      gssize n = send (self->guardian_fd, line, len, MSG_NOSIGNAL);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        {
          g_debug ("The test server guardian went away: %s", g_strerror (errno));
          return;
        }
      line += n;
      len -= n;
    }
}

gboolean
_heron_test_server_guardian_start (HeronTestServer  *self,
                                   GError          **error)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  const char *argv[] = { "/bin/sh", "-c", guardian_script, "heron-test-guardian",
                         self->dir, self->keep_dir ? "1" : "0", NULL };
  int fds[2];

  g_assert (self->guardian == NULL);

  if (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0)
    {
      int saved_errno = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   "Cannot make the guardian's socket: %s", g_strerror (saved_errno));
      return FALSE;
    }

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE |
                                        G_SUBPROCESS_FLAGS_STDERR_SILENCE);
  g_subprocess_launcher_take_stdin_fd (launcher, fds[0]);
  g_subprocess_launcher_set_child_setup (launcher, guardian_child_setup, NULL, NULL);
  self->guardian = g_subprocess_launcher_spawnv (launcher, argv, error);
  if (self->guardian == NULL)
    {
      close (fds[1]);
      return FALSE;
    }
  self->guardian_fd = fds[1];
  return TRUE;
}

void
_heron_test_server_guardian_stop (HeronTestServer *self)
{
  if (self->guardian == NULL)
    return;
  guardian_send (self, "exit\n");
  close (self->guardian_fd);
  self->guardian_fd = -1;
  g_subprocess_wait (self->guardian, NULL, NULL);
  g_clear_object (&self->guardian);
}

typedef struct {
  pid_t    parent;
  gboolean new_group;
} ServerChildSetup;

static void
server_child_setup (gpointer user_data)
{
  ServerChildSetup *setup = user_data;

  /* Runs in the child between fork and exec: async-signal-safe calls only. Its own process
   * group, so that it can be killed with everything it forks (unless the program makes its own
   * session, which then is also its own group); SIGTERM when the parent (thread) dies; and if
   * the parent is already gone, do not start at all. */
  if (setup->new_group)
    setpgid (0, 0);
  prctl (PR_SET_PDEATHSIG, SIGTERM);
  if (getppid () != setup->parent)
    _exit (127);
}

GSubprocess *
_heron_test_server_spawn (HeronTestServer     *self,
                          const char * const  *argv,
                          const char          *log_path,
                          gboolean             new_group,
                          GError             **error)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  ServerChildSetup *setup;
  GSubprocess *process;
  const char *identifier;
  char line[32];
  int fd;

  fd = g_open (log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0)
    {
      int saved_errno = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   "Cannot open %s: %s", log_path, g_strerror (saved_errno));
      return NULL;
    }

  setup = g_new0 (ServerChildSetup, 1);
  setup->parent = getpid ();
  setup->new_group = new_group;

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_NONE);
  g_subprocess_launcher_take_stderr_fd (launcher, dup (fd));
  g_subprocess_launcher_take_stdout_fd (launcher, fd);
  g_subprocess_launcher_set_child_setup (launcher, server_child_setup, setup, g_free);
  process = g_subprocess_launcher_spawnv (launcher, argv, error);
  if (process == NULL)
    return NULL;

  identifier = g_subprocess_get_identifier (process);
  g_assert (identifier != NULL);
  /* The child is (or makes itself) the leader of its group: its pid is the group's id. The
   * identifier disappears once the process is reaped, so keep the number. */
  g_object_set_data (G_OBJECT (process), PGID_KEY,
                     GINT_TO_POINTER ((int) g_ascii_strtoll (identifier, NULL, 10)));
  g_snprintf (line, sizeof line, "+%s\n", identifier);
  guardian_send (self, line);
  return process;
}

gboolean
_heron_test_server_is_alive (GSubprocess *process)
{
  return process != NULL && g_subprocess_get_identifier (process) != NULL;
}

/* Whether some process of the group is still running (zombies do not count: an orphan whose
 * reaper is slow holds no port and no file). */
static gboolean
group_has_live_members (pid_t pgid)
{
  g_autoptr(GDir) proc = g_dir_open ("/proc", 0, NULL);
  const char *name;

  if (proc == NULL)
    return kill (-pgid, 0) == 0;

  while ((name = g_dir_read_name (proc)) != NULL)
    {
      g_autofree char *path = NULL;
      g_autofree char *stat_text = NULL;
      const char *after_comm;
      char state;
      long ppid, pgrp;

      if (!g_ascii_isdigit (name[0]))
        continue;
      path = g_build_filename ("/proc", name, "stat", NULL);
      if (!g_file_get_contents (path, &stat_text, NULL, NULL))
        continue;
      /* "pid (comm) state ppid pgrp ...": comm may hold spaces and parentheses. */
      after_comm = strrchr (stat_text, ')');
      if (after_comm == NULL)
        continue;
      if (sscanf (after_comm + 1, " %c %ld %ld", &state, &ppid, &pgrp) != 3)
        continue;
      if (pgrp == pgid && state != 'Z' && state != 'X')
        return TRUE;
    }
  return FALSE;
}

void
_heron_test_server_kill (HeronTestServer  *self,
                         GSubprocess     **process)
{
  pid_t pgid;
  gint64 deadline;
  char line[32];

  if (*process == NULL)
    return;

  pgid = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (*process), PGID_KEY));
  g_assert (pgid > 0);

  /* The leader itself too: it may not have made its own session yet. */
  kill (-pgid, SIGKILL);
  kill (pgid, SIGKILL);
  g_subprocess_wait (*process, NULL, NULL);

  /* The leader is gone; its children may need a moment. A listening socket is closed only when
   * every process holding it has exited, so wait for the whole group. */
  deadline = g_get_monotonic_time () + 3 * G_USEC_PER_SEC;
  while (group_has_live_members (pgid) && g_get_monotonic_time () < deadline)
    {
      kill (-pgid, SIGKILL);
      g_usleep (2000);
    }

  g_snprintf (line, sizeof line, "-%d\n", (int) pgid);
  guardian_send (self, line);
  g_clear_object (process);
}

gboolean
_heron_test_server_run (const char * const  *argv,
                        GBytes              *input,
                        char               **out_stdout,
                        GError             **error)
{
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GBytes) out = NULL;
  g_autoptr(GBytes) err = NULL;
  GSubprocessFlags flags = G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE;

  if (input != NULL)
    flags |= G_SUBPROCESS_FLAGS_STDIN_PIPE;

  process = g_subprocess_newv (argv, flags, error);
  if (process == NULL)
    return FALSE;
  if (!g_subprocess_communicate (process, input, NULL, &out, &err, error))
    return FALSE;

  if (!g_subprocess_get_if_exited (process) || g_subprocess_get_exit_status (process) != 0)
    {
      g_autofree char *command = g_strjoinv (" ", (char **) argv);
      g_autofree char *err_text = g_utf8_make_valid (g_bytes_get_data (err, NULL),
                                                     g_bytes_get_size (err));
      int status = g_subprocess_get_if_exited (process) ? g_subprocess_get_exit_status (process)
                                                        : -g_subprocess_get_term_sig (process);
      g_strstrip (err_text);
      g_set_error (error, HERON_TEST_SERVER_ERROR, HERON_TEST_SERVER_ERROR_COMMAND,
                   "“%s” failed (status %d): %s", command, status,
                   *err_text != '\0' ? err_text : "no error output");
      return FALSE;
    }

  if (out_stdout != NULL)
    *out_stdout = g_utf8_make_valid (g_bytes_get_data (out, NULL), g_bytes_get_size (out));
  return TRUE;
}

/* Free ports: bind them all at once to port 0 (so they differ), note what the kernel chose,
 * release them. Someone else may take one before our server binds it; the caller retries. */
gboolean
_heron_test_server_pick_ports (guint16  *ports,
                               guint     n_ports,
                               GError  **error)
{
  g_autofree int *fds = g_new (int, n_ports);
  gboolean ok = TRUE;
  guint i;

  for (i = 0; i < n_ports; i++)
    fds[i] = -1;

  for (i = 0; i < n_ports && ok; i++)
    {
      struct sockaddr_in address = { 0 };
      socklen_t length = sizeof address;

      address.sin_family = AF_INET;
      address.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
      address.sin_port = 0;

      fds[i] = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
      if (fds[i] < 0 ||
          bind (fds[i], (struct sockaddr *) &address, sizeof address) != 0 ||
          getsockname (fds[i], (struct sockaddr *) &address, &length) != 0)
        {
          int saved_errno = errno;
          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                       "Cannot find a free port on 127.0.0.1: %s", g_strerror (saved_errno));
          ok = FALSE;
          break;
        }
      ports[i] = ntohs (address.sin_port);
    }

  for (i = 0; i < n_ports; i++)
    if (fds[i] >= 0)
      close (fds[i]);
  return ok;
}

/* Whether we could bind the port now: false if someone else listens on it. */
gboolean
_heron_test_server_port_is_free (guint16 port)
{
  struct sockaddr_in address = { 0 };
  int one = 1;
  int fd = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  gboolean free_port;

  if (fd < 0)
    return TRUE;
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
  address.sin_port = htons (port);
  /* As the servers do: a connection of ours in TIME_WAIT does not make it taken. */
  setsockopt (fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  free_port = bind (fd, (struct sockaddr *) &address, sizeof address) == 0 || errno != EADDRINUSE;
  close (fd);
  return free_port;
}

/* How a process that was reaped ended, for an error message. */
char *
_heron_test_server_describe_exit (GSubprocess *process)
{
  g_subprocess_wait (process, NULL, NULL);
  if (g_subprocess_get_if_exited (process))
    return g_strdup_printf ("it exited with status %d", g_subprocess_get_exit_status (process));
  if (g_subprocess_get_if_signaled (process))
    return g_strdup_printf ("it was killed by signal %d", g_subprocess_get_term_sig (process));
  return g_strdup ("it exited");
}

gboolean
_heron_test_server_read_banner (guint16   port,
                                char    **out_line,
                                GError  **error)
{
  g_autoptr(GSocket) sock = NULL;
  g_autoptr(GSocketAddress) address = NULL;
  g_autoptr(GString) line = g_string_new (NULL);

  sock = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP,
                         error);
  if (sock == NULL)
    return FALSE;
  /* Short: a slow answer is simply asked again by the caller's loop. */
  g_socket_set_timeout (sock, 1);
  address = g_inet_socket_address_new_from_string ("127.0.0.1", port);
  if (!g_socket_connect (sock, address, NULL, error))
    return FALSE;

  while (line->len < 1024 && strchr (line->str, '\n') == NULL)
    {
      char buffer[256];
      gssize n = g_socket_receive (sock, buffer, sizeof buffer, NULL, error);
      if (n < 0)
        return FALSE;
      if (n == 0)
        break;
      g_string_append_len (line, buffer, n);
    }

  if (out_line != NULL)
    *out_line = g_strstrip (g_utf8_make_valid (line->str, line->len));
  return TRUE;
}

goffset
_heron_test_server_file_size (const char *path)
{
  GStatBuf st;

  if (path == NULL || g_stat (path, &st) != 0)
    return 0;
  return st.st_size;
}

char *
_heron_test_server_tail_file (const char *path,
                              goffset     from,
                              gsize       max_bytes)
{
  g_autofree char *contents = NULL;
  gsize length = 0;
  gsize start;

  if (path == NULL || !g_file_get_contents (path, &contents, &length, NULL))
    return g_strdup ("");

  start = MIN ((gsize) MAX (from, 0), length);
  if (length - start > max_bytes)
    {
      start = length - max_bytes;
      /* Start at a line. */
      while (start < length && contents[start - 1] != '\n')
        start++;
    }
  return g_utf8_make_valid (contents + start, length - start);
}

gboolean
_heron_test_server_chown_tree (const char  *path,
                               uid_t        uid,
                               gid_t        gid,
                               GError     **error)
{
  GStatBuf st;

  if (lstat (path, &st) != 0)
    {
      int saved_errno = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   "Cannot stat %s: %s", path, g_strerror (saved_errno));
      return FALSE;
    }

  if ((st.st_uid != uid || st.st_gid != gid) && lchown (path, uid, gid) != 0)
    {
      int saved_errno = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   "Cannot change the owner of %s: %s", path, g_strerror (saved_errno));
      return FALSE;
    }

  if (S_ISDIR (st.st_mode))
    {
      g_autoptr(GDir) dir = g_dir_open (path, 0, error);
      const char *name;

      if (dir == NULL)
        return FALSE;
      while ((name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *child = g_build_filename (path, name, NULL);
          if (!_heron_test_server_chown_tree (child, uid, gid, error))
            return FALSE;
        }
    }
  return TRUE;
}

gboolean
_heron_test_server_remove_tree (const char  *path,
                                GError     **error)
{
  GStatBuf st;

  if (lstat (path, &st) != 0)
    {
      int saved_errno = errno;
      if (saved_errno == ENOENT)
        return TRUE;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   "Cannot stat %s: %s", path, g_strerror (saved_errno));
      return FALSE;
    }

  if (S_ISDIR (st.st_mode))
    {
      g_autoptr(GDir) dir = g_dir_open (path, 0, error);
      const char *name;

      if (dir == NULL)
        return FALSE;
      while ((name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *child = g_build_filename (path, name, NULL);
          if (!_heron_test_server_remove_tree (child, error))
            return FALSE;
        }
    }

  if (g_remove (path) != 0 && errno != ENOENT)
    {
      int saved_errno = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   "Cannot remove %s: %s", path, g_strerror (saved_errno));
      return FALSE;
    }
  return TRUE;
}

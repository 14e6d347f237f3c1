/* test-dependencies.c — everything the code and the scripts use comes from install-deps.sh
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * install-deps.sh installs with --no-install-recommends, so a package that
 * only happens to be on the developers' machines (gstreamer1.0-x, once) makes
 * a fresh machine fail. This test checks, on the machine it runs on:
 *
 *  - every GStreamer element in the engine's table (mc_call_elements ()) is
 *    installed, the Debian package that ships its plugin file (`dpkg -S`) is
 *    the one the table names (so the missing-element message is true), and
 *    that package is in build-aux/install-deps.sh;
 *  - every program the tests and scripts run is installed from a system
 *    directory by a package that install-deps.sh names, or that a package it
 *    names depends on directly, or that is Essential in Debian.
 *
 * Where there is no dpkg (not a Debian system) the package checks are
 * skipped; the availability of the elements is still checked.
 */

#include "config.h"

#include <gst/gst.h>
#include <string.h>

#include "mc-call-error.h"

/* The programs that the tests (tests/meson.build, the scripts in tests/client,
 * the test sources), build-aux/run-demo.sh, run-tests.sh and .ci/run start. */
static const char * const programs[] = {
  "appstreamcli",     /* data: the metainfo */
  "chromium",         /* tests/web, test-web-app */
  "clang",            /* tests/fuzz */
  "curl",             /* run-demo.sh's guide, tests/web/page-refusal.sh */
  "dbus-run-session", /* run-demo.sh, tests/client/run-with-keyring.sh */
  "desktop-file-validate",
  "gcc", /* the build */
  "glib-compile-schemas",
  "gnome-keyring-daemon", /* tests/client/run-with-keyring.sh */
  "groff",                /* the man pages' test */
  "haproxy",              /* test-cli-haproxy: a real load balancer */
  "gsettings",            /* run-demo.sh */
  "ip",                   /* network namespaces in tests and benchmarks */
  "meson",
  "msgfmt",
  "mutter", /* test-cli-screencast: a headless compositor that casts its screen */
  "ninja",
  "openssl",       /* run-demo.sh's admin key, the TLS tests */
  "pg_virtualenv", /* run-tests.sh: the throwaway PostgreSQL cluster */
  "pkg-config",
  "pipewire", /* test-call-session's PipeWire screen (pipewire-bin) */
  "pw-dump",
  "pw-link",
  "python3", /* .ci/run, the po checks */
  "sqlite3",
  "timeout",
  "turnserver", /* coturn, for test-cli-turn */
  "xauth",      /* xvfb-run */
  "Xvfb",
  "xvfb-run", /* the engine and client tests */
};

typedef struct
{
  GHashTable *listed; /* packages named in install-deps.sh */
  gboolean    have_dpkg;
} Fixture;

static char *
run (const char * const *argv,
     int                *status)
{
  g_autoptr (GError) error = NULL;
  g_autofree char   *output = NULL;
  int                wait_status = 0;

  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDERR_TO_DEV_NULL,
                     NULL, NULL, &output, NULL, &wait_status, &error))
    g_error ("cannot run %s: %s", argv[0], error->message);

  *status = g_spawn_check_wait_status (wait_status, NULL) ? 0 : 1;
  return g_steal_pointer (&output);
}

/* The packages of PACKAGES="…" in install-deps.sh. */
static GHashTable *
read_listed_packages (void)
{
  g_autofree char   *path = g_test_build_filename (G_TEST_DIST, "..", "build-aux",
                                                   "install-deps.sh", NULL);
  g_autofree char   *text = NULL;
  g_autoptr (GError) error = NULL;
  g_auto (GStrv)     lines = NULL;
  GHashTable        *listed = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  gboolean           inside = FALSE;

  g_file_get_contents (path, &text, NULL, &error);
  g_assert_no_error (error);

  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_autofree char *line = g_strstrip (g_strdup (lines[i]));

      if (!inside)
        {
          inside = g_str_equal (line, "PACKAGES=\"");
          continue;
        }
      if (g_str_equal (line, "\""))
        break;
      if (*line != '\0' && *line != '#')
        g_hash_table_add (listed, g_steal_pointer (&line));
    }

  g_assert_cmpuint (g_hash_table_size (listed), >, 10);
  return listed;
}

/* The package that ships @path exactly as dpkg knows it, or NULL. */
static char *
package_of_path (const char *path)
{
  static GHashTable *known; /* path → package or "" */
  const char        *argv[] = { "dpkg", "-S", path, NULL };
  g_autofree char   *output = NULL;
  char              *colon;
  int                status;

  /* Many elements share a plugin file, and dpkg -S reads its whole list of
   * files each time. */
  if (known == NULL)
    known = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  if (g_hash_table_lookup_extended (known, path, NULL, (gpointer *) &colon))
    return *colon != '\0' ? g_strdup (colon) : NULL;

  output = run (argv, &status);
  if (status != 0 || output == NULL || strchr (output, '\n') != strrchr (output, '\n'))
    {
      g_hash_table_insert (known, g_strdup (path), g_strdup (""));
      return NULL;
    }

  /* "gstreamer1.0-x:amd64: /usr/lib/…/libgstpango.so" */
  colon = strstr (output, ": ");
  if (colon == NULL)
    return NULL;
  *colon = '\0';
  if ((colon = strchr (output, ':')) != NULL)
    *colon = '\0';

  g_hash_table_insert (known, g_strdup (path), g_strdup (output));
  return g_steal_pointer (&output);
}

/* The package that ships @path, or NULL. With /usr merged (Debian 12),
 * /lib/x/y and /usr/lib/x/y are one file, but dpkg knows it by the path in
 * its package: try both spellings. */
static char *
package_of_file (const char *path)
{
  static const char * const merged[] = { "/bin/", "/sbin/", "/lib/", "/lib64/" };
  char                     *owner = package_of_path (path);

  for (guint i = 0; owner == NULL && i < G_N_ELEMENTS (merged); i++)
    {
      g_autofree char *other = NULL;

      if (g_str_has_prefix (path, merged[i]))
        other = g_strconcat ("/usr", path, NULL);
      else if (g_str_has_prefix (path, "/usr") && g_str_has_prefix (path + 4, merged[i]))
        other = g_strdup (path + 4);
      if (other != NULL)
        owner = package_of_path (other);
    }

  return owner;
}

static char *
package_field (const char *package,
               const char *field)
{
  g_autofree char *format = g_strdup_printf ("${%s}", field);
  const char      *argv[] = { "dpkg-query", "-W", "-f", format, package, NULL };
  int              status;
  char            *output = run (argv, &status);

  if (status != 0)
    g_clear_pointer (&output, g_free);
  return output;
}

/* Whether @package is named in install-deps.sh, is a direct dependency of a
 * package named there, or is Essential (on every Debian system). */
static gboolean
package_is_installed_by_us (Fixture    *fixture,
                            const char *package,
                            char      **how)
{
  GHashTableIter   iter;
  const char      *listed;
  g_autofree char *essential = package_field (package, "Essential");

  if (g_hash_table_contains (fixture->listed, package))
    return TRUE;
  if (g_strcmp0 (essential, "yes") == 0)
    return TRUE;

  g_hash_table_iter_init (&iter, fixture->listed);
  while (g_hash_table_iter_next (&iter, (gpointer *) &listed, NULL))
    {
      g_autofree char *depends = package_field (listed, "Depends");
      g_autofree char *pre_depends = package_field (listed, "Pre-Depends");
      g_autofree char *all = g_strdup_printf ("%s, %s", depends ? depends : "",
                                              pre_depends ? pre_depends : "");
      g_auto (GStrv)   items = g_regex_split_simple ("[,|]", all, 0, 0);

      for (guint i = 0; items[i] != NULL; i++)
        {
          g_autofree char *name = g_strstrip (g_strdup (items[i]));

          name[strcspn (name, " (:")] = '\0';
          if (g_str_equal (name, package))
            {
              *how = g_strdup_printf ("a dependency of %s", listed);
              return TRUE;
            }
        }
    }

  return FALSE;
}

static void
fixture_set_up (Fixture      *fixture,
                gconstpointer data)
{
  g_autofree char *dpkg = g_find_program_in_path ("dpkg");

  fixture->listed = read_listed_packages ();
  fixture->have_dpkg = dpkg != NULL && g_file_test ("/var/lib/dpkg/status", G_FILE_TEST_EXISTS);
}

static void
fixture_tear_down (Fixture      *fixture,
                   gconstpointer data)
{
  g_clear_pointer (&fixture->listed, g_hash_table_unref);
}

static void
test_elements (Fixture      *fixture,
               gconstpointer data)
{
  g_autoptr (GString)  failures = g_string_new (NULL);
  const McCallElement *elements;
  gsize                n_elements;

  elements = mc_call_elements (&n_elements);
  g_assert_cmpuint (n_elements, >, 20);

  for (gsize i = 0; i < n_elements; i++)
    {
      const McCallElement          *element = &elements[i];
      g_autoptr (GstElementFactory) factory = gst_element_factory_find (element->factory);
      g_autoptr (GstPlugin)         plugin = NULL;
      g_autofree char              *owner = NULL;
      const char                   *filename;

      if (!g_hash_table_contains (fixture->listed, element->package))
        g_string_append_printf (failures,
                                "  %s: its package %s is not in build-aux/install-deps.sh\n",
                                element->factory, element->package);

      if (factory == NULL)
        {
          g_string_append_printf (failures, "  %s: not installed (package %s)\n",
                                  element->factory, element->package);
          continue;
        }

      if (!fixture->have_dpkg)
        continue;

      plugin = gst_plugin_feature_get_plugin (GST_PLUGIN_FEATURE (factory));
      filename = plugin != NULL ? gst_plugin_get_filename (plugin) : NULL;
      if (filename == NULL)
        {
          g_string_append_printf (failures, "  %s: GStreamer knows no plugin file for it\n",
                                  element->factory);
          continue;
        }

      owner = package_of_file (filename);
      g_test_message ("%s: %s, package %s", element->factory, filename, owner);
      if (owner == NULL)
        g_string_append_printf (failures, "  %s: no package ships %s (dpkg -S)\n",
                                element->factory, filename);
      else if (!g_str_equal (owner, element->package))
        g_string_append_printf (failures,
                                "  %s: the engine's table says package %s, but %s ships %s\n",
                                element->factory, element->package, owner, filename);
    }

  if (failures->len > 0)
    g_error ("GStreamer elements and their packages (src/engine/mc-call-error.c, "
             "build-aux/install-deps.sh):\n%s",
             failures->str);
}

static void
test_programs (Fixture      *fixture,
               gconstpointer data)
{
  static const char * const system_dirs[] = { "/usr/bin", "/usr/sbin", "/bin", "/sbin" };
  g_autoptr (GString)       failures = g_string_new (NULL);

  if (!fixture->have_dpkg)
    {
      g_test_skip ("not a Debian system: no dpkg to ask which package ships a program");
      return;
    }

  for (guint i = 0; i < G_N_ELEMENTS (programs); i++)
    {
      g_autofree char *owner = NULL;
      g_autofree char *how = NULL;
      g_autofree char *found = NULL;

      /* A program only in /usr/local or ~/.pyenv is not what a fresh
       * machine has: look in the system's directories only. */
      for (guint d = 0; d < G_N_ELEMENTS (system_dirs) && owner == NULL; d++)
        {
          g_autofree char *path = g_build_filename (system_dirs[d], programs[i], NULL);

          if (!g_file_test (path, G_FILE_TEST_IS_EXECUTABLE))
            continue;
          g_free (found);
          found = g_strdup (path);
          owner = package_of_file (path);
        }

      if (found == NULL)
        {
          g_string_append_printf (failures, "  %s: not installed in /usr/bin or /bin\n",
                                  programs[i]);
          continue;
        }
      if (owner == NULL)
        {
          g_string_append_printf (failures, "  %s: no package ships %s (dpkg -S)\n", programs[i],
                                  found);
          continue;
        }
      if (!package_is_installed_by_us (fixture, owner, &how))
        g_string_append_printf (failures,
                                "  %s: package %s ships it, and build-aux/install-deps.sh "
                                "does not install it\n",
                                programs[i], owner);
      g_test_message ("%s: %s, package %s%s%s", programs[i], found, owner, how ? ", " : "",
                      how ? how : "");
    }

  if (failures->len > 0)
    g_error ("Programs the tests and scripts run:\n%s", failures->str);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  gst_init (&argc, &argv);

  g_test_add ("/dependencies/elements", Fixture, NULL, fixture_set_up, test_elements,
              fixture_tear_down);
  g_test_add ("/dependencies/programs", Fixture, NULL, fixture_set_up, test_programs,
              fixture_tear_down);

  return g_test_run ();
}

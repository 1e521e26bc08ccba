"""``coursebuild serve``: build, serve the site locally and rebuild on changes.

Threads (all daemons except the main one):

* main: runs the HTTP server's accept loop until Ctrl-C;
* one thread per HTTP connection (``ThreadingHTTPServer``);
* two watcher threads (``watchfiles``): the course's folders, recursively,
  and the course folder itself, non-recursively (course.yml, the .bib);
* one rebuild thread (:class:`~.scheduler.RebuildScheduler`) that coalesces
  change notifications and runs ``Builder.build`` under the site's write lock.

Requests hold the read lock while they resolve and read a file, so a request
that arrives during a rebuild waits for it instead of seeing a half-written
site.
"""

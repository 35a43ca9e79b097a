# Filters SwiftPM's build output to what a person needs: a line every 100 steps ("built 300 of 1379"),
# and everything that is not a step (warnings, errors, "Build complete!"). A package warning about this
# project's own files (a file no target claims) fails the build, as a compiler warning does: exits 1.
/^\[[0-9]+\/[0-9]+\]/ {
  split(substr($1, 2, length($1) - 2), step, "/")
  if (step[1] % 100 == 0 || step[1] == step[2]) { print "  built " step[1] " of " step[2]; fflush() }
  next
}
/^(Building|Compiling|Write|Fetching|Fetched|Computing|Working copy|Creating working copy)/ { next }
unhandled && /^ +\// && $1 !~ /\/\.build\// { print "error: a file of this project no target claims: " $1; failed = 1 }
{ if (!/^ +\//) unhandled = /^warning: .*which are unhandled/; print; fflush() }
END { exit failed }

#!/bin/sh
# pljvm-archive.sh JAVA JAR [CLASSLIST]
#
# Writes pljvm's class-data archive next to JAR (pljvm.jar): JAR with .jsa for .jar, which pljvm
# gives the JVM when JAR is pljvm.classpath (docs/pljvm.md, "Start-up"). The archive holds the
# JDK classes of CLASSLIST (default: pljvm.classlist next to this script), parsed, and the JDK's
# boot module graph; pljvm's own classes are not in it (pljvm.so defines them), so it does not
# depend on JAR. HotSpot checks it against the JVM build: run this again after every JDK update,
# with JAVA the java of the JDK whose libjvm pljvm loads (pljvm.libjvm_location). "make install"
# runs it.
set -eu
java=$1
jar=$2
list=${3:-$(dirname "$0")/pljvm.classlist}
case $jar in *.jar) ;; *) echo "pljvm-archive.sh: $jar is not a .jar" >&2; exit 2 ;; esac
[ -f "$jar" ] || { echo "pljvm-archive.sh: no $jar" >&2; exit 2; }
[ -f "$list" ] || { echo "pljvm-archive.sh: no class list $list" >&2; exit 2; }
jsa=${jar%.jar}.jsa
log=$(mktemp)
trap 'rm -f "$log"' EXIT
rm -f "$jsa"
# G1 and a small heap, as pljvm's default options: the archived objects are mapped only by G1,
# and only where a heap of that size puts them
if ! "$java" -Xshare:dump -XX:SharedClassListFile="$list" -XX:SharedArchiveFile="$jsa" \
        -XX:+UseG1GC -Xmx64m >"$log" 2>&1; then
    cat "$log" >&2
    echo "pljvm-archive.sh: writing $jsa failed" >&2
    rm -f "$jsa"
    exit 1
fi
chmod 644 "$jsa"

# The tslab kernel launcher, embedded in the machine's `tslab` kernelspec by setup.sh (argv: sh -c
# <this> <connection file>). Jupyter starts a kernel in its notebook's directory, so one kernelspec
# serves every checkout: it runs the tslab of the checkout the notebook is in, or says what to run.
d=$PWD
while [ "$d" != / ] && [ ! -x "$d/node_modules/.bin/tslab" ]; do d=$(dirname "$d"); done
if [ "$d" = / ]; then
  echo "streamframe notebooks: no node_modules/.bin/tslab above $PWD: run npm install && npm run build in the checkout" >&2
  exit 1
fi
if [ ! -f "$d/dist/index.js" ]; then
  echo "streamframe notebooks: $d is not built: run npm run build in $d" >&2
  exit 1
fi
# tslab type-checks with Node10 resolution (no package self-reference): notebooks import the
# checkout through node_modules/streamframe, as an installed package.
if [ -d "$d/notebooks" ] && [ ! -e "$d/notebooks/node_modules/streamframe" ]; then
  mkdir -p "$d/notebooks/node_modules" && ln -sfn ../.. "$d/notebooks/node_modules/streamframe"
fi
exec "$d/node_modules/.bin/tslab" kernel --config-path "$0"

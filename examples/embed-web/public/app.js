// Sign in, ask oidc-signup for an embed URL, embed it with the official SDK, and say in words what
// went wrong when something did. Every SDK event is listed under "Events" (the smoke test reads
// them there: CONTENT_LOADED, or ERROR_OCCURRED with its errorCode).

const $ = (id) => document.getElementById(id);
let currentUrl = null;

function status(text) {
  $('status').textContent = text;
}

function error(text) {
  $('error').textContent = text;
}

function logEvent(kind, name, detail) {
  const item = document.createElement('li');
  item.dataset[kind] = name;
  if (detail && detail.errorCode) item.dataset.errorCode = detail.errorCode;
  item.textContent = `${kind} ${name}${detail ? ` ${JSON.stringify(detail)}` : ''}`;
  $('events').append(item);
}

/** What an embedded experience's error code means for the person looking at the page. */
function inWords(code) {
  switch (code) {
    case 'Forbidden':
      return 'QuickSight refused this embed URL (Forbidden): it was opened once already, or it has expired (5 minutes). Sign in again for a new one.';
    case 'Unauthorized':
      return 'QuickSight says this session has ended (Unauthorized). Sign in again.';
    default:
      return `QuickSight could not open the experience (${code || 'no error code'}).`;
  }
}

/** The SDK call for the experience the URL opens (its path says which). */
function embedFor(context, url) {
  const path = new URL(url).pathname;
  if (/\/visuals\//.test(path)) return context.embedVisual;
  if (path.startsWith('/embed/')) return context.embedDashboard;
  if (/\/q\/search/.test(path)) return context.embedQSearchBar;
  return context.embedConsole;
}

async function embed(url) {
  error('');
  $('dashboard').replaceChildren();
  const context = await QuickSightEmbedding.createEmbeddingContext({
    onChange: (event) => logEvent('change', event.eventName),
  });
  const frame = { url, container: '#dashboard', height: '480px', width: '100%' };
  const content = {
    onMessage: (event) => {
      logEvent('event', event.eventName, event.message);
      if (event.eventName === 'CONTENT_LOADED') status('The dashboard loaded.');
      if (event.eventName === 'ERROR_OCCURRED') error(inWords(event.message && event.message.errorCode));
    },
  };
  try {
    await embedFor(context, url)(frame, content);
  } catch (e) {
    error(`The embedding SDK refused the embed URL: ${e.message}`);
  }
}

/** An ID token: the one pasted (from a real provider, for a deployed stack), or the local stand-in's. */
async function idToken(email, groups) {
  const pasted = $('token').value.trim();
  if (pasted) return pasted;
  const login = await fetch('/login', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, groups }),
  });
  const { id_token: token, error: refused } = await login.json();
  if (!login.ok) throw new Error(`sign-in failed: ${refused}`);
  return token;
}

async function signIn(email, groups) {
  error('');
  status('Signing in...');
  const config = await (await fetch('/config.json')).json();
  const token = await idToken(email, groups);

  status('Asking oidc-signup for an embed URL...');
  let answer;
  try {
    answer = await fetch(config.functionUrl, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: '{}',
    });
  } catch (e) {
    status('');
    return error(
      `oidc-signup did not answer this page (${e.message}): it is not running at ${config.functionUrl}, ` +
        `or its CORS settings do not allow this page's origin, ${location.origin} (EMBED_ALLOWED_DOMAINS, ` +
        `template parameter EmbedAllowedDomains).`,
    );
  }
  const body = await answer.json().catch(() => ({}));
  if (!answer.ok) {
    status('');
    return error(`oidc-signup refused the login (${answer.status}): ${body.reason || body.error || JSON.stringify(body)}`);
  }
  if (!body.embed_url) {
    status('');
    return error('oidc-signup provisioned the user but answered no embed URL: EMBED_EXPERIENCE is unset.');
  }
  currentUrl = body.embed_url;
  $('reload').hidden = false;
  status(`Signed in as ${email}; embedding...`);
  await embed(currentUrl);
}

$('sign-in-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const groups = $('groups').value.split(',').map((g) => g.trim()).filter(Boolean);
  signIn($('email').value, groups).catch((e) => error(`Something failed: ${e.message}`));
});

// The same URL a second time: QuickSight answers Forbidden, as it does for a used or expired URL.
$('reload').addEventListener('click', () => {
  if (currentUrl) embed(currentUrl);
});

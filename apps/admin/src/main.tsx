import 'antd/dist/reset.css';
import './ui/light.css';
import { QueryClientProvider } from '@tanstack/react-query';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App.tsx';
import { queryClient } from './api/queryClient.ts';
import { i18nReady } from './i18n/index.ts';

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root element');
const container = root;

function renderApp() {
  createRoot(container).render(
    <StrictMode>
      <QueryClientProvider client={queryClient}>
        <App />
      </QueryClientProvider>
    </StrictMode>,
  );
}

/** The strings could not be fetched (offline, or a deploy replaced them): say so in both languages, with no strings. */
function showStringsUnavailable() {
  const message = document.createElement('p');
  message.setAttribute('role', 'alert');
  message.style.cssText = 'padding: 48px 24px; text-align: center; font: 16px/1.6 system-ui, sans-serif';
  message.textContent = '页面未能加载，请检查网络后刷新。 The page could not load; check the connection and reload.';
  const reload = document.createElement('button');
  reload.type = 'button';
  reload.textContent = '刷新 Reload';
  reload.addEventListener('click', () => window.location.reload());
  message.append(document.createElement('br'), reload);
  container.replaceChildren(message);
}

// Rendering waits for the strings of the language in use (a small chunk of their own): the first screen is never
// drawn with untranslated keys.
i18nReady.then(renderApp, showStringsUnavailable);

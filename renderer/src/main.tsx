import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { createClient } from './api/index.js';
import { App } from './App.js';
import { AppProvider } from './context.js';
import { applyTheme, loadTheme } from './theme.js';
import './styles.css';

applyTheme(loadTheme());
const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root element');
createRoot(root).render(
  <StrictMode>
    <AppProvider client={createClient()}>
      <App />
    </AppProvider>
  </StrictMode>,
);
